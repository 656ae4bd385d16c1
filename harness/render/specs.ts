/** Each figure's charts from its rows (pure): rows -> vega-lite specs, in the paper's units (MB, GB = 2^30 bytes, s, Mbit/s). */
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
import { summarise } from './aggregate.ts';
import { barChart, lineChart, repetitionNote, SCHEMA, type Axis } from './charts.ts';
import { CHART_CONFIG, CHART_WIDTH_PX, systemHex } from './style.ts';

/** A chart to write: its file name (without extension) and its vega-lite spec. */
export interface Chart {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

/** The paper's guest sizes double from 128 MB to 4 GB: a log2 axis gives each its own tick, evenly spaced. */
/** Ticks at the guest sizes the run swept (the paper's 128 MB to 4 GB, or a testbed's smaller ones). */
const memoryAxis = (rows: readonly { readonly memory_mb: number | undefined }[]): Axis => ({
  title: 'Guest memory (MB, log2 scale)',
  log2: true,
  values: [...new Set(rows.map((row) => row.memory_mb).filter((size): size is number => size !== undefined))].sort((a, b) => a - b),
});
const GB = 1024 ** 3;
/** The paper writes GB and MB for binary sizes (its 4 GB guest has 4096 MB); the charts follow it and say so once. */
const GB_NOTE = '1 GB = 2^30 bytes, as in the paper';

export function fig2Charts(rows: readonly Fig2Row[]): Chart[] {
  const memory = (row: Fig2Row) => row.memory_mb;
  const time = summarise(rows, memory, (row) => row.migration_time_s);
  const downtime = summarise(rows, memory, (row) => row.downtime_s);
  return [
    {
      name: 'fig2a',
      spec: lineChart({ text: 'Fig. 2(a) Migration time vs guest memory', subtitle: [repetitionNote(time)] }, time, memoryAxis(rows), { title: 'Migration time (s)' }),
    },
    {
      name: 'fig2b',
      spec: lineChart({ text: 'Fig. 2(b) Downtime vs guest memory', subtitle: [repetitionNote(downtime)] }, downtime, memoryAxis(rows), { title: 'Downtime (s)' }),
    },
  ];
}

export function fig3Charts(rows: readonly Fig3Row[], series: readonly Fig3SeriesRow[]): Chart[] {
  const size = guestSizeLabel(rows);
  const bandwidth = summarise(series, (row) => row.t_s, (row) => row.bandwidth_mbps);
  const total = summarise(rows, () => 0, (row) => (row.network_bytes === undefined ? undefined : row.network_bytes / GB));
  return [
    {
      name: 'fig3a',
      spec: lineChart(
        { text: `Fig. 3(a) Network bandwidth during migration${size}`, subtitle: ['Bytes on the link between the two cloud VMs, in 1 s bins', repetitionNote(bandwidth, '1 s bin')] },
        bandwidth,
        { title: 'Elapsed time (s)' },
        { title: 'Bandwidth (Mbit/s)' },
        { markers: false, labelFlat: (max) => `at most ${max.toFixed(1)} Mbit/s` },
      ),
    },
    {
      name: 'fig3b',
      spec: barChart(
        { text: `Fig. 3(b) Total network transfer${size}`, subtitle: [repetitionNote(total, 'system'), GB_NOTE] },
        total,
        { title: 'Transferred data (GB)' },
        (gb) => (gb >= 0.1 ? `${gb.toFixed(2)} GB` : `${(gb * 1024).toFixed(2)} MB`),
      ),
    },
  ];
}

export function fig6Charts(rows: readonly Fig6Row[]): Chart[] {
  const rate = (row: Fig6Row) => row.dirty_pages_per_s;
  const first = rows[0];
  const workload = first === undefined ? [] : [`${first.memory_mb ?? '?'} MB guest writing to a ${first.dirty_region_mb ?? '?'} MB region at the given rate`];
  const xAxis: Axis = { title: 'Dirty rate (pages/s)' };
  const time = summarise(rows, rate, (row) => row.migration_time_s);
  const downtime = summarise(rows, rate, (row) => row.downtime_s);
  return [
    {
      name: 'fig6a',
      spec: lineChart({ text: 'Fig. 6(a) Migration time vs dirty rate', subtitle: [...workload, repetitionNote(time)] }, time, xAxis, { title: 'Migration time (s)' }),
    },
    {
      name: 'fig6b',
      spec: lineChart({ text: 'Fig. 6(b) Downtime vs dirty rate', subtitle: [...workload, repetitionNote(downtime)] }, downtime, xAxis, { title: 'Downtime (s)' }),
    },
  ];
}

export function fig4Charts(rows: readonly Fig4Row[], series: readonly Fig4SeriesRow[]): Chart[] {
  const about = `${guestSizeLabel(rows)}${provenanceLabel(rows)}`;
  const utilisation = summarise(series, (row) => row.t_s, (row) => row.cpu_utilization_pct);
  const cpuTime = summarise(rows, () => 0, (row) => row.cpu_time_s);
  return [
    {
      name: 'fig4a',
      spec: lineChart(
        { text: `Fig. 4(a) CPU utilisation during migration${about}`, subtitle: ['Both cloud VMs and the cloud Dom0, 100 % = one core, in 1 s bins', repetitionNote(utilisation, '1 s bin')] },
        utilisation,
        { title: 'Elapsed time (s)' },
        { title: 'CPU utilisation (%)' },
        { markers: false },
      ),
    },
    {
      name: 'fig4b',
      spec: barChart(
        { text: `Fig. 4(b) Total CPU time${about}`, subtitle: ['Both cloud VMs and the cloud Dom0, during migration', repetitionNote(cpuTime, 'system')] },
        cpuTime,
        { title: 'CPU time (s)' },
        (seconds) => `${seconds.toFixed(1)} s`,
      ),
    },
  ];
}

export function fig5Charts(rows: readonly Fig5Row[]): Chart[] {
  const multiples = new Map(rows.map((row) => [row.system, row.access_multiple]));
  const access = summarise(rows, () => 0, (row) => (row.memory_access_bytes === undefined ? undefined : row.memory_access_bytes / GB));
  return [
    {
      name: 'fig5',
      spec: barChart(
        {
          text: `Fig. 5 Estimated memory access${guestSizeLabel(rows)}${provenanceLabel(rows)}`,
          subtitle: ["Reads + writes along each system's copy path, from the pages transferred", `one estimate per system; ${GB_NOTE}`],
        },
        access,
        { title: 'Memory read + written (GB)' },
        (gb) => `${gb.toFixed(1)} GB`,
        (system) => {
          const multiple = multiples.get(system);
          return multiple === undefined ? '' : ` (${multiple.toFixed(1)}× transferred)`;
        },
      ),
    },
  ];
}

const FIG7_PANEL_PX = 110;
/**
 * vega cannot fit stacked panels to a width: what lies beside a panel (padding, the fixed y-axis
 * extent, its title) is this wide, so the panels get the rest (a test checks every chart's width).
 */
const FIG7_BESIDE_PX = 95;

/** One panel per system on shared x and y scales, in the system's colour: replies per second over time, the migration window shaded. */
export function fig7Charts(rows: readonly Fig7Row[], series: readonly Fig7SeriesRow[]): Chart[] {
  const systems = SYSTEMS.filter((system) => series.some((row) => row.system === system));
  const degradation = new Map(
    systems.map((system) => {
      const values = rows.filter((row) => row.system === system && row.status === 'ok').map((row) => row.degradation_pct!);
      return [system, mean(values)];
    }),
  );
  const all = summarise(series, (row) => row.t_s, (row) => row.throughput_rps);
  const panel = (system: SystemName, index: number) => {
    const points = all.filter((point) => point.system === system);
    const window = series.filter((row) => row.system === system && row.rep === 1 && row.migrating === 1);
    const drop = degradation.get(system);
    const last = index === systems.length - 1;
    return {
      title: { text: `${SYSTEM_LABELS[system]}${drop === undefined ? '' : `: ${drop.toFixed(1)} % lower during migration`}`, color: systemHex(system), fontSize: 13 },
      width: CHART_WIDTH_PX - FIG7_BESIDE_PX,
      height: FIG7_PANEL_PX,
      layer: [
        {
          data: { values: window.length === 0 ? [] : [{ from: window[0]!.t_s, to: window[window.length - 1]!.t_s! + 1 }] },
          mark: { type: 'rect' as const, color: '#e4e4e4' },
          encoding: { x: { field: 'from', type: 'quantitative' as const }, x2: { field: 'to' } },
        },
        {
          data: { values: points.map((point) => ({ ...point })) },
          mark: { type: 'line' as const, strokeWidth: 2, color: systemHex(system), clip: true },
          encoding: {
            // Only the bottom panel names the shared x axis.
            x: { field: 'x', type: 'quantitative' as const, title: last ? 'Elapsed time (s)' : null },
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
        $schema: SCHEMA,
        title: {
          text: `Fig. 7 Web server throughput during migration${guestSizeLabel(rows)}${provenanceLabel(rows)}`,
          subtitle: [`Replies per second; ${repetitionNote(all, '1 s bin')}`, 'the panels share both axes; shaded: the migration window'],
        },
        config: CHART_CONFIG,
        spacing: 16,
        vconcat: systems.map(panel),
        resolve: { scale: { x: 'shared', y: 'shared' } },
      } as TopLevelSpec,
    },
  ];
}
