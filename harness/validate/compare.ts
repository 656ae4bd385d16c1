/**
 * Predicted against measured (pure): the rows of one run of the simulator
 * and one run of the testbed, matched point by point and metric by metric.
 */
import type { AlternativesRow, Fig2Row, Fig4Row, Fig6Row } from '../results/tables.ts';
import type { ValidationRow } from '../results/validation.ts';
import { mean } from '../stats.ts';
import { SYSTEMS } from '../systems.ts';

/** The tables of one run that validation reads (those the run produced). */
export interface RunRows {
  readonly fig2?: readonly Fig2Row[];
  readonly fig4?: readonly Fig4Row[];
  readonly fig6?: readonly Fig6Row[];
  readonly alternatives?: readonly AlternativesRow[];
}

/** Every metric compared, with the table and column it comes from. */
export const METRICS = [
  { metric: 'migration_time_s', unit: 's', label: 'migration time', source: 'fig2/fig6/alternatives' },
  { metric: 'downtime_s', unit: 's', label: 'downtime', source: 'fig2/fig6/alternatives' },
  { metric: 'network_bytes', unit: 'B', label: 'bytes on the link', source: 'fig2/fig6/alternatives' },
  { metric: 'iterations', unit: 'passes', label: 'iterations', source: 'fig2/fig6' },
  { metric: 'pages_sent', unit: 'pages', label: 'pages sent', source: 'fig2/fig6' },
  { metric: 'cpu_time_s', unit: 's', label: 'CPU time', source: 'fig4' },
  // 100 % less the guest's slowdown: a relative error of the slowdown itself is undefined at 0 % and explodes near it.
  { metric: 'guest_rate_kept_pct', unit: '%', label: "guest's write rate kept", source: 'alternatives' },
] as const;

export type Metric = (typeof METRICS)[number]['metric'];

/**
 * Not a number to compare but whether the migration finished: predicted and
 * measured are the share of repetitions that did (1: all, 0: none). The
 * alternatives experiment's schemes may legitimately fail (QEMU's pre-copy
 * under a guest that out-dirties the link), and a failure is compared as
 * an outcome, never as numbers.
 */
export const OUTCOME = 'outcome';

/** A point's identity across figures: one migration serves every figure that plots it. */
interface Sample {
  readonly system: string;
  readonly memoryMb: number;
  readonly dirtyPagesPerS: number;
  readonly metric: Metric | typeof OUTCOME;
  /** undefined: that repetition failed or did not report the metric. */
  readonly value: number | undefined;
  /** Compared only where both sides finished (the outcome row says the rest). */
  readonly onlyIfBothFinished: boolean;
}

type MigrationMetric = Extract<Metric, 'migration_time_s' | 'downtime_s' | 'network_bytes' | 'iterations' | 'pages_sent'>;
const MIGRATION_METRICS: readonly MigrationMetric[] = ['migration_time_s', 'downtime_s', 'network_bytes', 'iterations', 'pages_sent'];
const ALTERNATIVES_METRICS = ['migration_time_s', 'downtime_s', 'network_bytes'] as const;

function samples(rows: RunRows): Sample[] {
  const out: Sample[] = [];
  const migration = (row: Fig2Row | Fig6Row, dirtyPagesPerS: number) => {
    if (row.memory_mb === undefined) return;
    for (const metric of MIGRATION_METRICS) {
      out.push({ system: row.system, memoryMb: row.memory_mb, dirtyPagesPerS, metric, value: row.status === 'ok' ? row[metric] : undefined, onlyIfBothFinished: false });
    }
  };
  for (const row of rows.alternatives ?? []) {
    if (row.memory_mb === undefined) continue;
    const point = { system: row.system, memoryMb: row.memory_mb, dirtyPagesPerS: row.dirty_pages_per_s ?? 0, onlyIfBothFinished: true };
    const ok = row.status === 'ok';
    out.push({ ...point, metric: OUTCOME, value: ok ? 1 : 0 });
    if (!ok) continue;
    for (const metric of ALTERNATIVES_METRICS) out.push({ ...point, metric, value: row[metric] });
    const slowdown = row.guest_slowdown_pct;
    out.push({ ...point, metric: 'guest_rate_kept_pct', value: slowdown === undefined ? undefined : 100 - slowdown });
  }
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
    out.push({ system: row.system, memoryMb: row.memory_mb, dirtyPagesPerS: 0, metric: 'cpu_time_s', value: row.status === 'ok' ? row.cpu_time_s : undefined, onlyIfBothFinished: false });
  }
  return out;
}

const keyOf = (sample: Pick<Sample, 'system' | 'memoryMb' | 'dirtyPagesPerS' | 'metric'>) =>
  `${sample.system}|${sample.memoryMb}|${sample.dirtyPagesPerS}|${sample.metric}`;

/** Mean of the successful repetitions of each point and metric (for the outcome: the share that finished). */
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

/** How the two sides' outcomes compare, from an outcome row's shares of finished repetitions. */
export function outcomeAgreement(
  row: Pick<ValidationRow, 'predicted' | 'measured'>,
): 'both finished' | 'both failed' | 'only the simulator failed' | 'only the testbed failed' | 'mixed' | 'not predicted' {
  const { predicted, measured } = row;
  if (predicted === undefined || measured === undefined) return 'not predicted';
  if (predicted === 1 && measured === 1) return 'both finished';
  if (predicted === 0 && measured === 0) return 'both failed';
  if (predicted === 0 && measured === 1) return 'only the simulator failed';
  if (predicted === 1 && measured === 0) return 'only the testbed failed';
  return 'mixed';
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
    const isOutcome = sample.metric === OUTCOME;
    // Where a side never finished, the outcome row compares it; its numbers are not.
    if (sample.onlyIfBothFinished && !isOutcome && (prediction === undefined || measuredMean === undefined)) continue;
    rows.push({
      system: sample.system,
      memory_mb: sample.memoryMb,
      dirty_pages_per_s: sample.dirtyPagesPerS,
      metric: sample.metric,
      predicted: prediction,
      measured: measuredMean,
      error_pct: isOutcome ? undefined : errorPct(prediction, measuredMean),
    });
  }
  const systemOrder = (system: string) => {
    const index = (SYSTEMS as readonly string[]).indexOf(system);
    return index < 0 ? SYSTEMS.length : index;
  };
  // The outcome first: it says whether the numbers after it exist.
  const metricOrder = (metric: string) => (metric === OUTCOME ? -1 : METRICS.findIndex((entry) => entry.metric === metric));
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
