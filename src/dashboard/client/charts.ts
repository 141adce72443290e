/**
 * The five charts of the last 30 minutes (uPlot): nodes, hit and miss rate, items, bytes and
 * requests per minute, one point per minute, resizes marked as vertical lines. Each chart's
 * element carries `data-points` = the minutes with a value, for tests and for the eye.
 */
import uPlot from 'uplot';
import type { AggregateStats, ResizeEvent, Series } from './types.js';
import { formatBytes } from './format.js';

const MINUTE_MS = 60_000;

interface ChartSpec {
  id: string;
  title: string;
  series: { label: string; key: keyof AggregateStats; stroke: string; scale?: number }[];
  axis?: (value: number) => string;
}

const SPECS: ChartSpec[] = [
  {
    id: 'nodes',
    title: 'Nodes',
    series: [{ label: 'nodes', key: 'number_of_nodes', stroke: '#4c6ef5' }],
  },
  {
    id: 'rates',
    title: 'Hit and miss rate (%)',
    series: [
      { label: 'hit rate %', key: 'hit_rate', stroke: '#2f9e44', scale: 100 },
      { label: 'miss rate %', key: 'miss_rate', stroke: '#e03131', scale: 100 },
    ],
  },
  {
    id: 'items',
    title: 'Items in cache',
    series: [{ label: 'items', key: 'number_of_items_in_cache', stroke: '#f08c00' }],
  },
  {
    id: 'bytes',
    title: 'Bytes in cache',
    series: [{ label: 'bytes', key: 'total_size_of_items_in_cache', stroke: '#7048e8' }],
    axis: formatBytes,
  },
  {
    id: 'requests',
    title: 'Requests per minute',
    series: [
      { label: 'requests/min', key: 'number_of_requests_served_per_minute', stroke: '#1098ad' },
    ],
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

/** A uPlot plugin that draws a dashed vertical line at each resize. */
function markers(events: () => ResizeEvent[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1.5;
        for (const event of events()) {
          const x = u.valToPos(event.time_ms / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = event.cause === 'failure' ? '#c92a2a' : '#495057';
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = ctx.strokeStyle;
          // Near the right edge the label goes to the left of its line, so it stays readable.
          const nearEnd = x > u.bbox.left + u.bbox.width - 60 * devicePixelRatio;
          ctx.textAlign = nearEnd ? 'right' : 'left';
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          ctx.fillText(
            `${event.old_size}→${event.new_size}`,
            nearEnd ? x - 4 : x + 4,
            u.bbox.top + 12 * devicePixelRatio,
          );
        }
        ctx.restore();
      },
    },
  };
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
      const width = Math.max(320, Math.floor(box.clientWidth || 520));
      const options: uPlot.Options = {
        title: spec.title,
        width,
        height: 180,
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
          {},
          spec.axis
            ? { values: (_u, ticks) => ticks.map((t) => spec.axis!(t)), size: 70 }
            : { size: 50 },
        ],
        series: [
          {},
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: 2,
            spanGaps: false,
            points: { show: true, size: 5 },
          })),
        ],
      };
      const empty: uPlot.AlignedData = [[], ...spec.series.map(() => [])];
      this.#plots.set(spec.id, { plot: new uPlot(options, empty, box), spec, element: box });
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
    }
  }
}
