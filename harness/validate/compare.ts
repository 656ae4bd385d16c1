/**
 * Predicted against measured (pure): the rows of one run of the simulator
 * and one run of the testbed, matched point by point and metric by metric.
 */
import type { Fig2Row, Fig4Row, Fig6Row } from '../results/tables.ts';
import type { ValidationRow } from '../results/validation.ts';
import { mean } from '../stats.ts';
import { SYSTEMS } from '../systems.ts';

/** The tables of one run that validation reads (those the run produced). */
export interface RunRows {
  readonly fig2?: readonly Fig2Row[];
  readonly fig4?: readonly Fig4Row[];
  readonly fig6?: readonly Fig6Row[];
}

/** Every metric compared, with the table and column it comes from. */
export const METRICS = [
  { metric: 'migration_time_s', unit: 's', label: 'migration time', source: 'fig2/fig6' },
  { metric: 'downtime_s', unit: 's', label: 'downtime', source: 'fig2/fig6' },
  { metric: 'network_bytes', unit: 'B', label: 'bytes on the link', source: 'fig2/fig6' },
  { metric: 'iterations', unit: 'passes', label: 'iterations', source: 'fig2/fig6' },
  { metric: 'pages_sent', unit: 'pages', label: 'pages sent', source: 'fig2/fig6' },
  { metric: 'cpu_time_s', unit: 's', label: 'CPU time', source: 'fig4' },
] as const;

export type Metric = (typeof METRICS)[number]['metric'];

/** A point's identity across figures: one migration serves every figure that plots it. */
interface Sample {
  readonly system: string;
  readonly memoryMb: number;
  readonly dirtyPagesPerS: number;
  readonly metric: Metric;
  /** undefined: that repetition failed or did not report the metric. */
  readonly value: number | undefined;
}

type MigrationMetric = Exclude<Metric, 'cpu_time_s'>;
const MIGRATION_METRICS = METRICS.map((entry) => entry.metric).filter((metric): metric is MigrationMetric => metric !== 'cpu_time_s');

function samples(rows: RunRows): Sample[] {
  const out: Sample[] = [];
  const migration = (row: Fig2Row | Fig6Row, dirtyPagesPerS: number) => {
    if (row.memory_mb === undefined) return;
    for (const metric of MIGRATION_METRICS) {
      out.push({ system: row.system, memoryMb: row.memory_mb, dirtyPagesPerS, metric, value: row.status === 'ok' ? row[metric] : undefined });
    }
  };
  for (const row of rows.fig2 ?? []) migration(row, 0);
  // Fig. 6 at rate 0 is an idle guest: the same migration as Fig. 2's at that size, unless Fig. 2 lacks it.
  const idle = new Set((rows.fig2 ?? []).map((row) => `${row.system}|${row.memory_mb}`));
  for (const row of rows.fig6 ?? []) {
    const rate = row.dirty_pages_per_s ?? 0;
    if (rate === 0 && idle.has(`${row.system}|${row.memory_mb}`)) continue;
    migration(row, rate);
  }
  for (const row of rows.fig4 ?? []) {
    if (row.memory_mb === undefined) continue;
    out.push({ system: row.system, memoryMb: row.memory_mb, dirtyPagesPerS: 0, metric: 'cpu_time_s', value: row.status === 'ok' ? row.cpu_time_s : undefined });
  }
  return out;
}

const keyOf = (sample: Pick<Sample, 'system' | 'memoryMb' | 'dirtyPagesPerS' | 'metric'>) =>
  `${sample.system}|${sample.memoryMb}|${sample.dirtyPagesPerS}|${sample.metric}`;

/** Mean of the successful repetitions of each point and metric. */
function means(rows: RunRows): Map<string, { readonly sample: Sample; readonly mean: number | undefined }> {
  const groups = new Map<string, { sample: Sample; values: number[] }>();
  for (const sample of samples(rows)) {
    const key = keyOf(sample);
    const group = groups.get(key) ?? { sample, values: [] };
    if (sample.value !== undefined) group.values.push(sample.value);
    groups.set(key, group);
  }
  return new Map([...groups].map(([key, group]) => [key, { sample: group.sample, mean: mean(group.values) }]));
}

/** Relative error of a prediction in %, undefined where there is nothing to compare. */
export function errorPct(predicted: number | undefined, measured: number | undefined): number | undefined {
  if (predicted === undefined || measured === undefined || measured === 0) return undefined;
  return ((predicted - measured) / measured) * 100;
}

/**
 * One row per point the testbed measured and metric, in the paper's system
 * order, then by memory, dirty rate and metric. Points only the simulator
 * ran are left out: validation is of what was measured.
 */
export function compareRuns(predicted: RunRows, measured: RunRows): ValidationRow[] {
  const predictedMeans = means(predicted);
  const rows: ValidationRow[] = [];
  for (const [key, { sample, mean: measuredMean }] of means(measured)) {
    const prediction = predictedMeans.get(key)?.mean;
    rows.push({
      system: sample.system,
      memory_mb: sample.memoryMb,
      dirty_pages_per_s: sample.dirtyPagesPerS,
      metric: sample.metric,
      predicted: prediction,
      measured: measuredMean,
      error_pct: errorPct(prediction, measuredMean),
    });
  }
  const systemOrder = (system: string) => {
    const index = (SYSTEMS as readonly string[]).indexOf(system);
    return index < 0 ? SYSTEMS.length : index;
  };
  const metricOrder = (metric: string) => METRICS.findIndex((entry) => entry.metric === metric);
  return rows.sort(
    (a, b) =>
      systemOrder(a.system) - systemOrder(b.system) ||
      a.system.localeCompare(b.system) ||
      a.memory_mb! - b.memory_mb! ||
      a.dirty_pages_per_s! - b.dirty_pages_per_s! ||
      metricOrder(a.metric) - metricOrder(b.metric),
  );
}

export interface ErrorSummary {
  readonly metric: Metric;
  readonly system: string;
  /** Mean absolute percentage error over the rows with both values. */
  readonly mapePct: number | undefined;
  /** Mean signed error, to tell a bias from scatter. */
  readonly meanErrorPct: number | undefined;
  /** Rows with both values. */
  readonly n: number;
  /** Rows where one side has no value (a failed or missing run). */
  readonly missing: number;
}

/** MAPE per metric and system, over every row of the pair; systems in the paper's order. */
export function summarise(rows: readonly ValidationRow[]): ErrorSummary[] {
  const systems = [...new Set(rows.map((row) => row.system))];
  const out: ErrorSummary[] = [];
  for (const { metric } of METRICS) {
    for (const system of SYSTEMS.filter((name) => systems.includes(name))) {
      const group = rows.filter((row) => row.metric === metric && row.system === system);
      if (group.length === 0) continue;
      const errors = group.map((row) => row.error_pct).filter((value): value is number => value !== undefined);
      out.push({
        metric,
        system,
        mapePct: mean(errors.map(Math.abs)),
        meanErrorPct: mean(errors),
        n: errors.length,
        missing: group.length - errors.length,
      });
    }
  }
  return out;
}
