/**
 * The benchmark table as markdown. Its own module so that a benchmark run on its own can print
 * its rows without importing bench/index.ts, which imports every benchmark (a cycle that
 * deadlocks top-level await: Node exits with code 13).
 */
import type { BenchRow } from './row.js';
import { formatRatio } from './stats.js';

/** Renders rows as one markdown table. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'case', 'result', 'reference', 'ratio', 'target', 'met', 'note'];
  const cells = rows.map((row) => [
    row.benchmark,
    row.case,
    row.result,
    row.reference,
    formatRatio(row.ratio),
    row.target,
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    row.note ?? '',
  ]);
  const escape = (text: string) => text.replaceAll('|', '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...cells.map((line) => `| ${line.map(escape).join(' | ')} |`),
  ].join('\n');
}
