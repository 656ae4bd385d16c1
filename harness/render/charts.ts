/**
 * The two chart shapes every figure uses, as vega-lite specs (pure): lines
 * over a quantitative x (mean per system, min–max as vertical bars) and one
 * bar per system. Titles are a short line plus caption lines that say how
 * many repetitions each value is and what the bars mean.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SystemName } from '../systems.ts';
import type { SummaryPoint } from './aggregate.ts';
import { CHART_CONFIG, FIT_WIDTH, PLOT_HEIGHT_PX, systemColor, systemShapeAndDash } from './style.ts';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface Title {
  readonly text: string;
  /** Caption lines under the title, each short enough not to widen the chart. */
  readonly subtitle: readonly string[];
}

export interface Axis {
  readonly title: string;
  /** A log2 scale with these ticks (the paper's memory sizes double). */
  readonly log2?: boolean;
  /** A log10 scale: values spanning orders of magnitude (seconds of zero-copy against minutes of pre-copy). */
  readonly log10?: boolean;
  readonly values?: readonly number[];
}

interface LineOptions {
  /** Dense series (one value a second) read better without a marker per value. */
  readonly markers: boolean;
  /** A series whose values stay near zero on the chart's scale gets a label saying how high it goes (VMBeam in Fig. 3(a)). */
  readonly labelFlat?: (max: number) => string;
  /** A dashed horizontal line at `y` with its label (a limit, such as a give-up time). */
  readonly rule?: { readonly y: number; readonly text: string };
}

function scaleOf(axis: Axis) {
  if (axis.log2 === true) return { scale: { type: 'log' as const, base: 2 } };
  if (axis.log10 === true) return { scale: { type: 'log' as const } };
  return {};
}

/** "mean of n = 5 repetitions per point; vertical bars: min–max", or says the repetitions are identical when they are. */
export function repetitionNote(points: readonly SummaryPoint[], per = 'point'): string {
  if (points.length === 0) return 'no successful repetitions';
  const counts = points.map((point) => point.n);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const n = low === high ? `n = ${low}` : `n = ${low}–${high}`;
  if (high === 1) return `n = 1 repetition per ${per}`;
  if (points.every((point) => point.min === point.max)) return `${n} repetitions per ${per}, all identical (a deterministic model)`;
  return `mean of ${n} repetitions per ${per}; vertical bars: min–max`;
}

const systemsOf = (points: readonly { readonly system: SystemName }[]) => [...new Set(points.map((point) => point.system))];

/** Solid lines first, then dashed and dotted ones over them: where two coincide (Xen-Nest and physical hosts in Fig. 2(b)) both stay visible. */
const DRAW_ORDER: readonly SystemName[] = ['xen-blanket', 'xen-nest', 'vmbeam', 'xen-blanket-nocipher', 'xen-nest-nocipher', 'physical'];
const drawOrder = (points: readonly SummaryPoint[]) => [...points].sort((a, b) => DRAW_ORDER.indexOf(a.system) - DRAW_ORDER.indexOf(b.system));

const hasSpread = (points: readonly SummaryPoint[]) => points.some((point) => point.min < point.max);

export function lineChart(title: Title, points: readonly SummaryPoint[], x: Axis, y: Axis, options: LineOptions = { markers: true }): TopLevelSpec {
  const systems = systemsOf(points);
  // Without markers the legend shows each system's line (colour and dash), not a dot.
  const color = options.markers ? systemColor(systems) : { ...systemColor(systems), legend: { symbolType: 'stroke' } };
  const { shape, strokeDash } = systemShapeAndDash(systems);
  const xEncoding = {
    field: 'x',
    type: 'quantitative' as const,
    title: x.title,
    ...scaleOf(x),
    axis: x.values === undefined ? {} : { values: [...x.values] },
  };
  const yEncoding = { field: 'mean', type: 'quantitative' as const, title: y.title, ...scaleOf(y) };
  const top = Math.max(0, ...points.map((point) => point.max));
  // A series of one value (a sub-second migration's single 1 s bin) draws no line: it gets its marker even in a dense chart.
  const lone = options.markers ? [] : points.filter((point) => points.filter((other) => other.system === point.system).length === 1);
  const flat = options.labelFlat === undefined ? [] : flatSeries(points, top, options.labelFlat);
  return {
    $schema: SCHEMA,
    title: { text: title.text, subtitle: [...title.subtitle] },
    ...FIT_WIDTH,
    height: PLOT_HEIGHT_PX,
    config: CHART_CONFIG,
    data: { values: drawOrder(points).map((point) => ({ ...point })) },
    layer: [
      ...(hasSpread(points)
        ? [{ mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { x: xEncoding, y: { field: 'min', type: 'quantitative' as const }, y2: { field: 'max' }, color } }]
        : []),
      { mark: { type: 'line' as const, strokeWidth: 2 }, encoding: { x: xEncoding, y: yEncoding, color, strokeDash } },
      ...(options.markers
        ? [{ mark: { type: 'point' as const, filled: false, size: 60, strokeWidth: 1.8, opacity: 1 }, encoding: { x: xEncoding, y: yEncoding, color, shape } }]
        : []),
      ...(lone.length === 0
        ? []
        : [{ data: { values: lone.map((point) => ({ ...point })) }, mark: { type: 'point' as const, filled: true, size: 70 }, encoding: { x: xEncoding, y: yEncoding, color } }]),
      ...(flat.length === 0
        ? []
        : [{ data: { values: flat }, mark: { type: 'text' as const, align: 'left' as const, dx: 6, dy: -10, fontSize: 12 }, encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const }, text: { field: 'text', type: 'nominal' as const }, color } }]),
      ...(options.rule === undefined
        ? []
        : [
            { data: { values: [{ y: options.rule.y }] }, mark: { type: 'rule' as const, color: '#666', strokeDash: [6, 4], strokeWidth: 1.2 }, encoding: { y: { field: 'y', type: 'quantitative' as const, ...scaleOf(y) } } },
            {
              data: { values: [{ y: options.rule.y, text: options.rule.text }] },
              mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, x: 4, dy: -3, fontSize: 12, color: '#444' },
              encoding: { y: { field: 'y', type: 'quantitative' as const, ...scaleOf(y) }, text: { field: 'text', type: 'nominal' as const } },
            },
          ]),
    ],
  } as TopLevelSpec;
}

/** Series whose highest mean is under 3 % of the chart's top: a label at their last point says how high they go. */
function flatSeries(points: readonly SummaryPoint[], top: number, describe: (max: number) => string) {
  return systemsOf(points).flatMap((system) => {
    const own = points.filter((point) => point.system === system);
    const max = Math.max(...own.map((point) => point.mean));
    if (top <= 0 || max >= 0.03 * top) return [];
    const last = own.reduce((a, b) => (b.x > a.x ? b : a));
    return [{ x: last.x, y: max, label: last.label, text: `${last.label}: ${describe(max)}` }];
  });
}

/** One bar per system (mean), min–max over repetitions as a black rule, the value above each bar. */
export function barChart(
  title: Title,
  points: readonly SummaryPoint[],
  y: Axis,
  describe: (mean: number) => string,
  note: (system: SystemName) => string = () => '',
): TopLevelSpec {
  const color = systemColor(systemsOf(points));
  const xEncoding = { field: 'label', type: 'nominal' as const, title: null, sort: color.sort, axis: { labelAngle: 0 } };
  // Room above the tallest bar for its label, so no label touches the frame.
  const top = Math.max(0, ...points.map((point) => point.max)) * 1.15 || 1;
  const yScale = { domain: [0, top], nice: false };
  return {
    $schema: SCHEMA,
    title: { text: title.text, subtitle: [...title.subtitle] },
    ...FIT_WIDTH,
    height: PLOT_HEIGHT_PX,
    config: CHART_CONFIG,
    data: { values: points.map((point) => ({ ...point, text: `${describe(point.mean)}${note(point.system)}` })) },
    layer: [
      { mark: { type: 'bar', width: { band: 0.6 } }, encoding: { x: xEncoding, y: { field: 'mean', type: 'quantitative', title: y.title, scale: yScale }, color: { ...color, legend: null } } },
      ...(hasSpread(points)
        ? [{ mark: { type: 'rule' as const, strokeWidth: 1.5, color: 'black' }, encoding: { x: xEncoding, y: { field: 'min', type: 'quantitative' as const, scale: yScale }, y2: { field: 'max' } } }]
        : []),
      { mark: { type: 'text', dy: -9, fontSize: 12 }, encoding: { x: xEncoding, y: { field: 'max', type: 'quantitative', scale: yScale }, text: { field: 'text', type: 'nominal' } } },
    ],
  } as TopLevelSpec;
}
