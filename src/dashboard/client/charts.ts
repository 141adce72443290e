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
import type { AggregateStats, ResizeEvent, Series } from './types.js';
import { formatBytes, formatCount, formatTime } from './format.js';
import { labelRows, markerLabel } from './markers.js';

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
function align(series: Series, xsMs: number[], scale = 1): (number | null)[] {
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

/** A uPlot plugin that draws a dashed vertical line at each resize, its label never overlapping. */
function markers(events: () => ResizeEvent[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        const ratio = devicePixelRatio;
        ctx.save();
        ctx.font = `${LABEL_FONT_PX * ratio}px sans-serif`;
        ctx.lineWidth = 1.5;
        const left = u.bbox.left;
        const right = u.bbox.left + u.bbox.width;
        const placed = events()
          .map((event) => ({
            x: u.valToPos(event.time_ms / 1000, 'x', true),
            ...markerLabel(event),
          }))
          .filter((m) => m.x >= left && m.x <= right)
          .sort((a, b) => a.x - b.x)
          .map((m) => {
            const width = ctx.measureText(m.text).width;
            // Near the right edge a label goes to the left of its line, so it stays inside.
            const toLeft = m.x + 4 * ratio + width > right;
            const start = toLeft ? m.x - 4 * ratio - width : m.x + 4 * ratio;
            return { ...m, width, start };
          });
        const rows = labelRows(
          placed.map((m) => [m.start, m.start + m.width]),
          4 * ratio,
        );
        placed.forEach((m, i) => {
          ctx.setLineDash([4, 4]);
          ctx.strokeStyle = m.color;
          ctx.beginPath();
          ctx.moveTo(m.x, u.bbox.top);
          ctx.lineTo(m.x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = m.color;
          ctx.textAlign = 'left';
          ctx.fillText(m.text, m.start, u.bbox.top + (12 + 13 * (rows[i] ?? 0)) * ratio);
        });
        ctx.restore();
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
        plugins: [markers(() => this.#events)],
        scales: {
          // The range runs to the end of the current minute, so a resize made in it is marked.
          x: { time: true, range: () => [this.#rangeS[0], this.#rangeS[1]] },
          // Counts and rates start at 0; rates end at 100 %.
          y: {
            range: (_u, _min, max) => [
              0,
              spec.id === 'rates' ? 100 : Math.max(1, (max ?? 0) * 1.15),
            ],
          },
        },
        axes: [
          // Time labels (`10:05am`) need about 60 px each, so a narrow chart shows fewer.
          { space: 64 },
          {
            values: (_u, ticks) => ticks.map((t) => spec.format(t)),
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
