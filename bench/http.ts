import type { Benchmark } from './row.js';
export const httpBenchmark: Benchmark = { name: 'http', description: 'todo', run: async () => [] };
