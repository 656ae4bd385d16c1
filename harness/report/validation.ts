/** The reproduction report's section on the simulator (host profile) against the qemu testbed (pure). */
import type { MeasuredTestbed } from '../calibrate/profile.ts';
import type { SimParameters } from '../backends/sim/parameter-types.ts';
import type { DifferenceRow } from '../calibrate/sim-profile/index.ts';
import type { ValidationRow } from '../results/validation.ts';
import { SYSTEM_LABELS, isSystemName } from '../systems.ts';
import { METRICS, OUTCOME, outcomeAgreement, summarise, type ErrorSummary } from '../validate/compare.ts';
import { notesFor } from '../validate/mechanisms.ts';

/** A metric of a system is "far off" above this mean absolute percentage error. */
export const FAR_OFF_MAPE_PCT = 20;

export interface ValidationContext {
  /** Where the measured results came from, e.g. `results/qemu` (run 2026-…, policy xen, ci scale). */
  readonly measuredFrom: string;
  readonly policy: string;
  readonly scale: string;
  readonly hostProfile: string;
  readonly testbed: MeasuredTestbed;
  /** The simulator's parameters for the host profile (the model's own constants, for the notes). */
  readonly parameters: SimParameters;
}

const label = (system: string) => (isSystemName(system) ? SYSTEM_LABELS[system] : system);
const metricLabel = (metric: string) => METRICS.find((entry) => entry.metric === metric)?.label ?? metric;

function cell(summary: ErrorSummary | undefined): string {
  if (summary === undefined) return '';
  if (summary.mapePct === undefined) return `n/a (${summary.missing} without a value)`;
  const missing = summary.missing > 0 ? `, ${summary.missing} without` : '';
  return `${summary.mapePct.toFixed(1)} % (n=${summary.n}${missing})`;
}

/** MAPE per metric (rows) and system (columns), as Markdown. */
export function mapeTable(rows: readonly ValidationRow[]): string {
  const summaries = summarise(rows);
  const systems = [...new Set(summaries.map((summary) => summary.system))];
  const lines = [
    `| metric | ${systems.map(label).join(' | ')} |`,
    `| --- | ${systems.map(() => '---').join(' | ')} |`,
  ];
  for (const { metric } of METRICS) {
    if (!summaries.some((summary) => summary.metric === metric)) continue;
    const cells = systems.map((system) => cell(summaries.find((summary) => summary.metric === metric && summary.system === system)));
    lines.push(`| ${metricLabel(metric)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every metric of a system whose MAPE is above the threshold, with the mechanisms the data points at. */
export function farOffNotes(rows: readonly ValidationRow[], testbed: MeasuredTestbed, parameters: SimParameters): string {
  const lines: string[] = [];
  for (const summary of summarise(rows)) {
    if (summary.mapePct === undefined || summary.mapePct <= FAR_OFF_MAPE_PCT) continue;
    const bias = summary.meanErrorPct === undefined ? '' : `, mean signed error ${summary.meanErrorPct >= 0 ? '+' : ''}${summary.meanErrorPct.toFixed(1)} %`;
    lines.push(`- **${metricLabel(summary.metric)}, ${label(summary.system)}**: MAPE ${summary.mapePct.toFixed(1)} %${bias}.`);
    const notes = notesFor(summary.metric, summary.system, rows, testbed, parameters);
    if (notes.length === 0) {
      const errors = rows
        .filter((row) => row.metric === summary.metric && row.system === summary.system && row.error_pct !== undefined)
        .map((row) => `${row.error_pct! >= 0 ? '+' : ''}${row.error_pct!.toFixed(0)} % at ${row.memory_mb} MB/${row.dirty_pages_per_s} pages/s`);
      lines.push(`  No listed mechanism covers this (harness/validate/mechanisms.ts); errors: ${errors.join(', ')}.`);
    }
    for (const { note, evidence } of notes) lines.push(`  - *Missing: ${note.id}.* ${note.mechanism} *Data:* ${evidence}`);
  }
  return lines.length === 0 ? `Every metric of every system is within ${FAR_OFF_MAPE_PCT} % on average.` : lines.join('\n');
}

/** What the host profile changes against the paper's model (harness/calibrate/sim-profile/). */
export function differencesTable(rows: readonly DifferenceRow[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| what | unit | paper | host | host source |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${escape(row.what)} | ${row.unit} | ${escape(row.paper)} | ${escape(row.host)} | ${escape(row.hostSource)} |`),
  ].join('\n');
}

/** The report section listing every difference of the host profile (policy: the testbed's stop rules it follows). */
export function differencesSection(rows: readonly DifferenceRow[], policy: string): string {
  return [
    "## The host profile: what differs from the paper's model",
    '',
    `Every entry of \`harness/calibrate/sim-profile/\`, with both values (the testbed's policy \`${policy}\`). Everything else is the paper's model (docs/model.md).`,
    '',
    differencesTable(rows),
  ].join('\n');
}

/**
 * Whether each migration of the alternatives experiment finished on both
 * sides: failures (a scheme that never converges) are compared as
 * outcomes, not as numbers. Empty without outcome rows.
 */
export function outcomesSection(rows: readonly ValidationRow[]): string {
  const outcomes = rows.filter((row) => row.metric === OUTCOME);
  if (outcomes.length === 0) return '';
  const agreement = outcomes.map((row) => ({ row, verdict: outcomeAgreement(row) }));
  const count = (verdict: string) => agreement.filter((entry) => entry.verdict === verdict).length;
  const agree = count('both finished') + count('both failed');
  const disagreements = agreement.filter((entry) => entry.verdict !== 'both finished' && entry.verdict !== 'both failed');
  return [
    '### Did each migration finish on both sides? (alternatives)',
    '',
    `A scheme may not finish (QEMU's pre-copy under a guest that out-dirties the link is given up on); such points are compared by outcome only, and their times are left out of the errors above. ${agree} of ${outcomes.length} points agree: ${count('both finished')} finished on both sides, ${count('both failed')} failed on both.`,
    ...(disagreements.length === 0
      ? []
      : [
          '',
          '| system | memory (MB) | dirty pages/s | testbed finished | simulator finished | outcome |',
          '| --- | --- | --- | --- | --- | --- |',
          ...disagreements.map(
            ({ row, verdict }) =>
              `| ${label(row.system)} | ${row.memory_mb} | ${row.dirty_pages_per_s} | ${share(row.measured)} | ${share(row.predicted)} | ${verdict} |`,
          ),
        ]),
    '',
  ].join('\n');
}

const share = (value: number | undefined) => (value === undefined ? 'not run' : `${Math.round(value * 100)} %`);

export function validationSection(rows: readonly ValidationRow[], context: ValidationContext): string {
  const measured = rows.filter((row) => row.measured !== undefined).length;
  return [
    '## Simulator (host profile) vs the qemu testbed',
    '',
    `Predictions of the simulator with the host profile (\`${context.hostProfile}\`, calibrated under ${context.testbed.accel.toUpperCase()}) against measurements of the qemu testbed (${context.measuredFrom}; policy \`${context.policy}\`, ${context.scale} scale): ${rows.length} comparisons of ${measured} measured values, every one in \`results/validate.csv\` and plotted in \`figures/validate.svg\`. Error = (predicted − measured) / measured. The host profile was not fitted to these results: it takes this host's measured rates and fixed costs, the testbed's link rates and policy, and the mechanisms listed below.`,
    '',
    '### Mean absolute percentage error per metric and system',
    '',
    mapeTable(rows),
    '',
    `### Where the predictions are far off (MAPE above ${FAR_OFF_MAPE_PCT} %)`,
    '',
    farOffNotes(rows, context.testbed, context.parameters),
    '',
    ...(rows.some((row) => row.metric === OUTCOME) ? [outcomesSection(rows)] : []),
  ].join('\n');
}
