/**
 * The five charts of the last 30 minutes (uPlot): nodes, hit and miss rate, items, bytes and
 * requests per minute, one point per minute, resizes marked as vertical lines. Each chart's
 * element carries `data-points` = the minutes with a value, and `data-legend` = the legend's
 * text, for tests and for the eye.
 *
 * Layout rules the page relies on: a chart is as wide as its card (resized with the window);
 * the y axis is as wide as its longest label; resize labels that would overlap go on the next
 * row; the legend shows the latest values until the pointer is over a chart.
 */
import uPlot from 'uplot';
import type { AggregateStats, ResizeEvent, SeriesPoint } from '../../wire/index.js';
import { formatBytes, formatCount, formatTime } from './format.js';
import {
  LABEL_FIRST_BASELINE_PX,
  LABEL_ROW_PX,
  labelHeadroom,
  labelRowsRecentFirst,
  labelStart,
  markerLabel,
  maxLabelRows,
} from './markers.js';

const MINUTE_MS = 60_000;
const HEIGHT_PX = 180;
const LABEL_FONT_PX = 11;

interface ChartSpec {
  id: string;
  title: string;
  series: { label: string; key: keyof AggregateStats; stroke: string; scale?: number }[];
  /** Axis and legend text of a value (after scaling). */
  format: (value: number) => string;
}

const percent = (value: number): string => `${Math.round(value * 10) / 10} %`;

const SPECS: ChartSpec[] = [
  {
    id: 'nodes',
    title: 'Nodes',
    series: [{ label: 'nodes', key: 'number_of_nodes', stroke: '#4c6ef5' }],
    format: formatCount,
  },
  {
    id: 'rates',
    title: 'Hit and miss rate (%)',
    series: [
      { label: 'hit rate', key: 'hit_rate', stroke: '#2f9e44', scale: 100 },
      { label: 'miss rate', key: 'miss_rate', stroke: '#e03131', scale: 100 },
    ],
    format: percent,
  },
  {
    id: 'items',
    title: 'Items in cache',
    series: [{ label: 'items', key: 'number_of_items_in_cache', stroke: '#f08c00' }],
    format: formatCount,
  },
  {
    id: 'bytes',
    title: 'Bytes in cache',
    series: [{ label: 'bytes', key: 'total_size_of_items_in_cache', stroke: '#7048e8' }],
    format: formatBytes,
  },
  {
    id: 'requests',
    title: 'Requests per minute',
    series: [
      { label: 'requests/min', key: 'number_of_requests_served_per_minute', stroke: '#1098ad' },
    ],
    format: formatCount,
  },
];

/** Places `series` on the minute slots `xsMs` (null where the minute has no point). */
function align(series: SeriesPoint[], xsMs: number[], scale = 1): (number | null)[] {
  const byMinute = new Map<number, number | null>();
  for (const [t, v] of series) byMinute.set(Math.floor(t / MINUTE_MS) * MINUTE_MS, v);
  return xsMs.map((x) => {
    const v = byMinute.get(x);
    return v === null || v === undefined ? null : v * scale;
  });
}

/** The index of the last non-null value of `column`, or null. */
function lastIndex(column: ArrayLike<number | null | undefined>): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] != null) return i;
  return null;
}

/** A resize label as placed on a chart, in canvas pixels. */
interface PlacedLabel {
  x: number;
  text: string;
  color: string;
  width: number;
  start: number;
  row: number;
}

/**
 * Places the labels of the resizes inside `u`'s plot area: each beside its line without leaving
 * the plot, on the first row where it overlaps no other, in at most the rows the top half of the
 * plot holds; when a crowd needs more, its older labels get row -1 and are not drawn (their
 * lines are). x comes from `rangeS` (the chart's fixed time range), so this also works while
 * uPlot is still setting its scales.
 */
function placeLabels(u: uPlot, events: ResizeEvent[], rangeS: [number, number]): PlacedLabel[] {
  const { left, width: plotWidth, height } = u.bbox;
  if (plotWidth <= 0 || events.length === 0) return [];
  const ratio = devicePixelRatio;
  const right = left + plotWidth;
  const [fromS, toS] = rangeS;
  const ctx = u.ctx;
  ctx.save();
  ctx.font = `${LABEL_FONT_PX * ratio}px sans-serif`;
  const placed = events
    .map((event) => ({
      x: left + ((event.time_ms / 1000 - fromS) / (toS - fromS)) * plotWidth,
      ...markerLabel(event),
    }))
    .filter((m) => m.x >= left && m.x <= right)
    .sort((a, b) => a.x - b.x)
    .map((m) => {
      const width = ctx.measureText(m.text).width;
      return { ...m, width, start: labelStart(m.x, width, left, right, 4 * ratio) };
    });
  ctx.restore();
  const rows = labelRowsRecentFirst(
    placed.map((m) => [m.start, m.start + m.width]),
    4 * ratio,
    maxLabelRows(height / ratio),
  );
  return placed.map((m, i) => ({ ...m, row: rows[i] ?? -1 }));
}

/** Rows of labels `u` shows now (0 without resizes in view). */
function labelRowCount(labels: PlacedLabel[]): number {
  return Math.max(0, ...labels.map((l) => l.row + 1));
}

/**
 * A uPlot plugin that draws a dashed vertical line at each resize, its label inside the plot
 * and never overlapping another; the y scale leaves room above the data for the labels (see
 * the chart's y range). Writes what it drew to the chart's element for tests: `data-plot`
 * ([left, top, right, bottom]), `data-labels` (one box each) and `data-dots` (each point's
 * [x, y]), all in CSS pixels from the canvas's corner.
 */
function markers(
  events: () => ResizeEvent[],
  rangeS: () => [number, number],
  element: HTMLElement,
): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        const ratio = devicePixelRatio;
        const labels = placeLabels(u, events(), rangeS());
        ctx.save();
        ctx.font = `${LABEL_FONT_PX * ratio}px sans-serif`;
        ctx.lineWidth = 1.5;
        for (const m of labels) {
          ctx.setLineDash([4, 4]);
          ctx.strokeStyle = m.color;
          ctx.beginPath();
          ctx.moveTo(m.x, u.bbox.top);
          ctx.lineTo(m.x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          if (m.row < 0) continue;
          ctx.fillStyle = m.color;
          ctx.textAlign = 'left';
          const baseline = u.bbox.top + (LABEL_FIRST_BASELINE_PX + LABEL_ROW_PX * m.row) * ratio;
          ctx.fillText(m.text, m.start, baseline);
        }
        ctx.restore();
        const css = (v: number): number => Math.round((v / ratio) * 10) / 10;
        const { left, top, width, height } = u.bbox;
        element.dataset.plot = JSON.stringify([left, top, left + width, top + height].map(css));
        element.dataset.labels = JSON.stringify(
          labels
            .filter((m) => m.row >= 0)
            .map((m) => {
              const baseline = top / ratio + LABEL_FIRST_BASELINE_PX + LABEL_ROW_PX * m.row;
              return [css(m.start), baseline - LABEL_FONT_PX, css(m.start + m.width), baseline + 2];
            }),
        );
        const dots: [number, number][] = [];
        for (let s = 1; s < u.series.length; s++) {
          const column = u.data[s] ?? [];
          column.forEach((v, i) => {
            if (v == null) return;
            const x = u.valToPos(u.data[0][i] ?? 0, 'x', true);
            const y = u.valToPos(v, 'y', true);
            dots.push([css(x), css(y)]);
          });
        }
        element.dataset.dots = JSON.stringify(dots);
      },
    },
  };
}

/** Width in CSS pixels the y axis needs for `labels` (text plus tick and padding). */
function axisWidth(u: uPlot, labels: readonly string[] | null): number {
  if (!labels || labels.length === 0) return 40;
  const ctx = u.ctx;
  ctx.save();
  ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
  const widest = Math.max(...labels.map((l) => ctx.measureText(l).width)) / devicePixelRatio;
  ctx.restore();
  return Math.ceil(widest) + 18;
}

/** The chart panel: builds the charts once and feeds them on each refresh. */
export class Charts {
  readonly #plots = new Map<string, { plot: uPlot; spec: ChartSpec; element: HTMLElement }>();
  #events: ResizeEvent[] = [];
  #rangeS: [number, number] = [Date.now() / 1000 - 30 * 60, Date.now() / 1000];

  constructor(container: HTMLElement) {
    for (const spec of SPECS) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.testid = `chart-${spec.id}`;
      box.dataset.points = '0';
      container.append(box);
      const options: uPlot.Options = {
        title: spec.title,
        width: this.#widthOf(box),
        height: HEIGHT_PX,
        plugins: [
          markers(
            () => this.#events,
            () => this.#rangeS,
            box,
          ),
        ],
        scales: {
          // The range runs to the end of the current minute, so a resize made in it is marked.
          x: { time: true, range: () => [this.#rangeS[0], this.#rangeS[1]] },
          // Counts and rates start at 0; rates end at 100 %. Above the data, room for the
          // resize labels, so that none touches a point.
          y: {
            range: (u, _min, max) => {
              const top = spec.id === 'rates' ? 100 : Math.max(1, (max ?? 0) * 1.15);
              const rows = labelRowCount(placeLabels(u, this.#events, this.#rangeS));
              return [0, top * labelHeadroom(rows, u.bbox.height / devicePixelRatio)];
            },
          },
        },
        axes: [
          // Time labels (`10:05am`) need about 60 px each, so a narrow chart shows fewer.
          { space: 64 },
          {
            // A rate's axis stops at 100 % also when the scale reaches above it for labels.
            filter: (_u, splits) =>
              spec.id === 'rates' ? splits.map((v) => (v > 100 ? null : v)) : splits,
            values: (_u, ticks) => ticks.map((t) => (t == null ? '' : spec.format(t))),
            size: (u, values) => axisWidth(u, values),
          },
        ],
        series: [
          {
            // Without the pointer on the chart, the legend reads the latest minute.
            value: (u, v) => {
              const at = v ?? u.data[0][lastIndex(u.data[1] ?? []) ?? -1];
              return at == null ? '–' : formatTime(at * 1000).slice(0, 5);
            },
          },
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: 2,
            spanGaps: false,
            points: { show: true, size: 5 },
            value: (u: uPlot, v: number | null, sidx: number, idx: number | null) => {
              const column = u.data[sidx] ?? [];
              const shown = idx === null ? column[lastIndex(column) ?? -1] : v;
              return shown == null ? '–' : spec.format(shown);
            },
          })),
        ],
        hooks: {
          setLegend: [
            (u) => {
              box.dataset.legend = u.root.querySelector('.u-legend')?.textContent ?? '';
            },
          ],
        },
      };
      const empty: uPlot.AlignedData = [[], ...spec.series.map(() => [])];
      this.#plots.set(spec.id, { plot: new uPlot(options, empty, box), spec, element: box });
    }
    let pending = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => this.#fit());
    });
  }

  /** The width a chart gets in `box`: the card's, never below 260 px. */
  #widthOf(box: HTMLElement): number {
    return Math.max(260, Math.floor(box.clientWidth || 520));
  }

  /** Sizes every chart to its card again (after the window changed). */
  #fit(): void {
    for (const { plot, element } of this.#plots.values()) {
      const width = this.#widthOf(element);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT_PX });
    }
  }

  /** Redraws every chart over the 30 minutes ending at `nowMs`. */
  update(stats: AggregateStats, events: ResizeEvent[], nowMs: number, minutes = 30): void {
    this.#events = events;
    const lastMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const xsMs = Array.from(
      { length: minutes },
      (_, i) => lastMinute - (minutes - 1 - i) * MINUTE_MS,
    );
    this.#rangeS = [(xsMs[0] ?? lastMinute) / 1000, (lastMinute + MINUTE_MS) / 1000];
    for (const { plot, spec, element } of this.#plots.values()) {
      const columns = spec.series.map((s) => align(stats[s.key] ?? [], xsMs, s.scale));
      plot.setData([xsMs.map((x) => x / 1000), ...columns]);
      element.dataset.points = String(columns[0]?.filter((v) => v !== null).length ?? 0);
      // The legend only updates itself on pointer moves: show the latest values now.
      if (plot.cursor.idx == null) plot.setLegend({ idxs: plot.series.map(() => null) });
    }
    this.#fit();
  }
}
