/**
 * What a resize marker says and where its label goes, without drawing anything (the chart
 * plugin in charts.ts draws): pure, so that it is tested outside a browser.
 */
import type { ResizeEvent } from './types.js';

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

/**
 * Rows for labels placed left to right: each label goes on the first row where it does not
 * overlap the one before it. `spans` are [left, right] in pixels, sorted by left; returns the
 * row of each (0 = top).
 */
export function labelRows(spans: readonly [number, number][], gapPx = 4): number[] {
  const rowEnds: number[] = [];
  return spans.map(([left, right]) => {
    let row = rowEnds.findIndex((end) => end + gapPx <= left);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = right;
    return row;
  });
}
