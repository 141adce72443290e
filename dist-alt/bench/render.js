import { formatRatio } from './stats.js';
/** Renders rows as one markdown table. */
export function renderTable(rows) {
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
    const escape = (text) => text.replaceAll('|', '\\|');
    return [
        `| ${header.join(' | ')} |`,
        `| ${header.map(() => '---').join(' | ')} |`,
        ...cells.map((line) => `| ${line.map(escape).join(' | ')} |`),
    ].join('\n');
}
//# sourceMappingURL=render.js.map