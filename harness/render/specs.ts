import type { TopLevelSpec } from 'vega-lite';
import type {
  Fig2Row,
  Fig3Row,
  Fig3SeriesRow,
  Fig4Row,
  Fig4SeriesRow,
  Fig5Row,
  Fig6Row,
  Fig7Row,
  Fig7SeriesRow,
} from '../results/tables.ts';
import { guestSizeLabel, provenanceLabel } from '../labels.ts';
import { SYSTEMS, SYSTEM_LABELS, type SystemName } from '../systems.ts';
import { mean } from '../stats.ts';
import { summarise, type SummaryPoint } from './aggregate.ts';
import { CHART_CONFIG, CHART_HEIGHT_PX, CHART_WIDTH_PX, systemColor } from './style.ts';

/** A chart to write: its file name (without extension) and its vega-lite spec. */
export interface Chart {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

interface Axis {
  readonly title: string;
  readonly log2?: boolean;
  readonly values?: readonly number[];
}

interface LineOptions {
  /** Dense series (one value a second) read better without a marker per value. */
  readonly markers: boolean;
}

/** Mean per system and x as a line with points, min-max over repetitions as a vertical rule. */
function lineChart(
  title: string,
  points: readonly SummaryPoint[],
  x: Axis,
  y: Axis,
  options: LineOptions = { markers: true },
): TopLevelSpec {
  const color = systemColor(systemsOf(points));
  const xEncoding = {
    field: 'x',
    type: 'quantitative' as const,
    title: x.title,
    ...(x.log2 === true ? { scale: { type: 'log' as const, base: 2 } } : {}),
    axis: x.values === undefined ? {} : { values: [...x.values] },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: CHART_WIDTH_PX,
    height: CHART_HEIGHT_PX,
    config: CHART_CONFIG,
    data: { values: points.map((point) => ({ ...point })) },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x: xEncoding, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color },
      },
      {
        mark: { type: 'line', point: options.markers ? { filled: true, size: 45 } : false, strokeWidth: 2 },
        encoding: {
          x: xEncoding,
          y: { field: 'mean', type: 'quantitative', title: y.title },
          color,
        },
      },
    ],
  };
}

/** One bar per system (mean), min-max over repetitions as a rule. */
function barChart(
  title: string,
  points: readonly SummaryPoint[],
  y: Axis,
  describe: (mean: number) => string,
  note: (system: SystemName) => string = () => '',
): TopLevelSpec {
  const color = systemColor(systemsOf(points));
  const xEncoding = { field: 'label', type: 'nominal' as const, title: null, sort: color.sort, axis: { labelAngle: 0 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: CHART_WIDTH_PX,
    height: CHART_HEIGHT_PX,
    config: CHART_CONFIG,
    data: { values: points.map((point) => ({ ...point, text: `${describe(point.mean)}${note(point.system)}` })) },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.6 } },
        encoding: {
          x: xEncoding,
          y: { field: 'mean', type: 'quantitative', title: y.title },
          color: { ...color, legend: null },
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5, color: 'black' },
        encoding: { x: xEncoding, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
      },
      {
        mark: { type: 'text', dy: -8, fontSize: 12 },
        encoding: {
          x: xEncoding,
          y: { field: 'max', type: 'quantitative' },
          text: { field: 'text', type: 'nominal' },
        },
      },
    ],
  };
}

function systemsOf(points: readonly { readonly system: SystemName }[]): SystemName[] {
  return [...new Set(points.map((point) => point.system))];
}

const MEMORY_AXIS: Axis = { title: 'Guest memory (MB)', values: [128, 512, 1024, 2048, 3072, 4096] };
const GIB = 1024 ** 3;

export function fig2Charts(rows: readonly Fig2Row[]): Chart[] {
  const memory = (row: Fig2Row) => row.memory_mb;
  return [
    {
      name: 'fig2a',
      spec: lineChart(
        'Fig. 2(a) Migration time vs guest memory',
        summarise(rows, memory, (row) => row.migration_time_s),
        MEMORY_AXIS,
        { title: 'Migration time (s)' },
      ),
    },
    {
      name: 'fig2b',
      spec: lineChart(
        'Fig. 2(b) Downtime vs guest memory',
        summarise(rows, memory, (row) => row.downtime_s),
        MEMORY_AXIS,
        { title: 'Downtime (s)' },
      ),
    },
  ];
}

export function fig3Charts(rows: readonly Fig3Row[], series: readonly Fig3SeriesRow[]): Chart[] {
  const size = guestSizeLabel(rows);
  return [
    {
      name: 'fig3a',
      spec: lineChart(
        `Fig. 3(a) Network bandwidth during migration${size}`,
        summarise(series, (row) => row.t_s, (row) => row.bandwidth_mbps),
        { title: 'Elapsed time (s)' },
        { title: 'Bandwidth (Mbit/s), mean over repetitions' },
        { markers: false },
      ),
    },
    {
      name: 'fig3b',
      spec: barChart(
        `Fig. 3(b) Total network transfer${size}`,
        summarise(rows, () => 0, (row) => (row.network_bytes === undefined ? undefined : row.network_bytes / GIB)),
        { title: 'Transferred data (GiB)' },
        (gib) => (gib >= 0.1 ? `${gib.toFixed(2)} GiB` : `${(gib * 1024).toFixed(2)} MiB`),
      ),
    },
  ];
}

export function fig6Charts(rows: readonly Fig6Row[]): Chart[] {
  const rate = (row: Fig6Row) => row.dirty_pages_per_s;
  const first = rows[0];
  const workload =
    first === undefined ? '' : `, ${first.memory_mb ?? '?'} MB guest, ${first.dirty_region_mb ?? '?'} MB region`;
  const xAxis: Axis = { title: 'Dirty rate (pages/s)' };
  return [
    {
      name: 'fig6a',
      spec: lineChart(
        `Fig. 6(a) Migration time vs dirty rate${workload}`,
        summarise(rows, rate, (row) => row.migration_time_s),
        xAxis,
        { title: 'Migration time (s)' },
      ),
    },
    {
      name: 'fig6b',
      spec: lineChart(
        `Fig. 6(b) Downtime vs dirty rate${workload}`,
        summarise(rows, rate, (row) => row.downtime_s),
        xAxis,
        { title: 'Downtime (s)' },
      ),
    },
  ];
}

export function fig4Charts(rows: readonly Fig4Row[], series: readonly Fig4SeriesRow[]): Chart[] {
  const about = `${guestSizeLabel(rows)}${provenanceLabel(rows)}`;
  return [
    {
      name: 'fig4a',
      spec: lineChart(
        `Fig. 4(a) CPU utilisation of both cloud VMs and the cloud Dom0${about}`,
        summarise(series, (row) => row.t_s, (row) => row.cpu_utilization_pct),
        { title: 'Elapsed time (s)' },
        { title: 'CPU utilisation (%, 100 = one core)' },
        { markers: false },
      ),
    },
    {
      name: 'fig4b',
      spec: barChart(
        `Fig. 4(b) Total CPU time during migration${about}`,
        summarise(rows, () => 0, (row) => row.cpu_time_s),
        { title: 'CPU time (s)' },
        (seconds) => `${seconds.toFixed(1)} s`,
      ),
    },
  ];
}

export function fig5Charts(rows: readonly Fig5Row[]): Chart[] {
  const multiples = new Map(rows.map((row) => [row.system, row.access_multiple]));
  return [
    {
      name: 'fig5',
      spec: barChart(
        `Fig. 5 Estimated memory access${guestSizeLabel(rows)}${provenanceLabel(rows)}`,
        summarise(rows, () => 0, (row) => (row.memory_access_bytes === undefined ? undefined : row.memory_access_bytes / GIB)),
        { title: 'Memory read + written (GiB)' },
        (gib) => `${gib.toFixed(1)} GiB`,
        (system) => {
          const multiple = multiples.get(system);
          return multiple === undefined ? '' : ` (${multiple.toFixed(1)}x transferred)`;
        },
      ),
    },
  ];
}

/** One panel per system: replies per second over time, the migration window shaded. */
export function fig7Charts(rows: readonly Fig7Row[], series: readonly Fig7SeriesRow[]): Chart[] {
  const systems = SYSTEMS.filter((system) => series.some((row) => row.system === system));
  const degradation = new Map(
    systems.map((system) => {
      const values = rows.filter((row) => row.system === system && row.status === 'ok').map((row) => row.degradation_pct!);
      return [system, mean(values)];
    }),
  );
  const panel = (system: SystemName) => {
    const points = summarise(series.filter((row) => row.system === system), (row) => row.t_s, (row) => row.throughput_rps);
    const window = series.filter((row) => row.system === system && row.rep === 1 && row.migrating === 1);
    const drop = degradation.get(system);
    return {
      title: `${SYSTEM_LABELS[system]}${drop === undefined ? '' : `: ${drop.toFixed(1)} % lower during migration`}`,
      width: CHART_WIDTH_PX,
      height: 140,
      layer: [
        {
          data: { values: window.length === 0 ? [] : [{ from: window[0]!.t_s, to: window[window.length - 1]!.t_s! + 1 }] },
          mark: { type: 'rect' as const, color: '#f2d7d5' },
          encoding: { x: { field: 'from', type: 'quantitative' as const }, x2: { field: 'to' } },
        },
        {
          data: { values: points.map((point) => ({ ...point })) },
          mark: { type: 'line' as const, strokeWidth: 2, color: '#333' },
          encoding: {
            x: { field: 'x', type: 'quantitative' as const, title: 'Elapsed time (s); shaded: migration' },
            y: { field: 'mean', type: 'quantitative' as const, title: 'Replies/s' },
          },
        },
      ],
    };
  };
  return [
    {
      name: 'fig7',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: `Fig. 7 Web server throughput while the guest migrates${guestSizeLabel(rows)}${provenanceLabel(rows)}`,
        config: CHART_CONFIG,
        vconcat: systems.map(panel),
      } as TopLevelSpec,
    },
  ];
}
