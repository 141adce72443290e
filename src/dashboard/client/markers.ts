/**
 * What a resize marker says and where its label goes, without drawing anything (the chart
 * plugin in charts.ts draws): pure, so that it is tested outside a browser.
 */
import type { ResizeEvent } from '../../wire/index.js';

/** The label and colour a resize marker carries. */
export function markerLabel(event: ResizeEvent): { text: string; color: string } {
  const sizes = `${event.old_size}→${event.new_size}`;
  switch (event.cause) {
    case 'rolled-back':
      return { text: `${event.old_size}↛${event.new_size} failed`, color: '#c92a2a' };
    case 'failure':
      return {
        text: event.new_size < event.old_size ? `${sizes} node down` : `${sizes} regrow`,
        color: '#c92a2a',
      };
    case 'join':
      return { text: `${sizes} joined`, color: '#495057' };
    case 'leave':
      return { text: `${sizes} left`, color: '#495057' };
    case 'automatic':
      return { text: `${sizes} auto`, color: '#495057' };
    default:
      return { text: sizes, color: '#495057' };
  }
}

/** Height of one row of resize labels, and the baseline of the first, in CSS pixels. */
export const LABEL_ROW_PX = 13;
export const LABEL_FIRST_BASELINE_PX = 12;

/**
 * Where a label of `width` for a marker line at `x` starts, so that it stays inside the plot
 * [`left`, `right`]: right of its line when it fits there, else left of it, else (a label wider
 * than the room on either side, on a narrow chart) against whichever edge is nearer. `padPx` is
 * the gap kept from the line and from the edges.
 */
export function labelStart(
  x: number,
  width: number,
  left: number,
  right: number,
  padPx: number,
): number {
  if (x + padPx + width <= right - padPx) return x + padPx;
  if (x - padPx - width >= left + padPx) return x - padPx - width;
  return Math.max(left + padPx, Math.min(x - width / 2, right - padPx - width));
}

/**
 * How much higher than the data's top the y scale must reach so that `rows` rows of labels at
 * the top of a plot `plotHeightPx` tall never touch a point (`pointPx` is a point's radius plus
 * a gap): the factor to multiply the top by, 1 without labels. The band is capped at half the
 * plot, so a crowded chart still shows its data.
 */
export function labelHeadroom(rows: number, plotHeightPx: number, pointPx = 8): number {
  if (rows <= 0 || plotHeightPx <= 0) return 1;
  const bandPx = Math.min(rows * LABEL_ROW_PX + pointPx, plotHeightPx / 2);
  return plotHeightPx / (plotHeightPx - bandPx);
}

/**
 * The most rows of labels a plot `plotHeightPx` tall has room for in its top half (at least 1);
 * a label that would go lower shares the last row.
 */
export function maxLabelRows(plotHeightPx: number): number {
  return Math.max(1, Math.floor((plotHeightPx / 2 - 8) / LABEL_ROW_PX));
}

/**
 * Rows for labels placed left to right: each label goes on the first row where it does not
 * overlap the one before it. `spans` are [left, right] in pixels, sorted by left; returns the
 * row of each (0 = top), or -1 for a label that overlaps a label on each of `maxRows` rows
 * (it is not drawn: its line still is, and the decisions table lists it).
 */
export function labelRows(
  spans: readonly [number, number][],
  gapPx = 4,
  maxRows = Number.POSITIVE_INFINITY,
): number[] {
  const rowEnds: number[] = [];
  return spans.map(([left, right]) => {
    let row = rowEnds.findIndex((end) => end + gapPx <= left);
    if (row === -1) row = rowEnds.length;
    if (row >= maxRows) return -1;
    rowEnds[row] = right;
    return row;
  });
}

/**
 * Rows for labels as labelRows gives them, with the most recent labels (rightmost) served
 * first: when the rows run out, the older labels of a crowd are the ones left out. `spans` are
 * sorted by left, as for labelRows, and so is the answer.
 */
export function labelRowsRecentFirst(
  spans: readonly [number, number][],
  gapPx = 4,
  maxRows = Number.POSITIVE_INFINITY,
): number[] {
  const mirrored = spans.map(([left, right]): [number, number] => [-right, -left]).reverse();
  return labelRows(mirrored, gapPx, maxRows).reverse();
}
