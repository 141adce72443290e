import type { Benchmark } from './row.js';
export const memoryBenchmark: Benchmark = { name: 'memory', description: 'todo', run: async () => [] };
