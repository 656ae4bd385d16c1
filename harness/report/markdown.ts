import { EXPERIMENTS } from '../../experiments/index.ts';
import { memoryRangeMb } from '../../experiments/scales.ts';
import { SCALES, type Scale } from '../experiment.ts';
import type { Comparison, Reproduced } from './calibration.ts';

function number(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(magnitude >= 1 ? 2 : 3);
}

function rangeText(range: readonly [number, number], unit: string): string {
  const [from, to] = range;
  return to === Number.POSITIVE_INFINITY ? `≥ ${number(from)} ${unit}` : `${number(from)} to ${number(to)} ${unit}`;
}

function paperValue(comparison: Comparison): string {
  const { expect, unit } = comparison.statement;
  if (!('range' in expect)) return `${number(expect.value)} ${unit} (±${expect.tolerancePct} %)`;
  if (!('value' in expect)) return rangeText(expect.range, unit);
  // "at least 17 %": the paper's value is the range's lower end.
  return expect.range[0] === expect.value ? rangeText(expect.range, unit) : `${number(expect.value)} ${unit} (${rangeText(expect.range, unit)})`;
}

function errorText(comparison: Comparison): string {
  return comparison.errorPct === undefined ? '' : `${comparison.errorPct >= 0 ? '+' : ''}${comparison.errorPct.toFixed(1)} %`;
}

function reproducedValue(reproduced: Reproduced | undefined, unit: string): string {
  if (reproduced === undefined) return 'missing';
  return 'value' in reproduced
    ? `${number(reproduced.value)} ${unit}`
    : `${number(reproduced.min)} to ${number(reproduced.max)} ${unit}`;
}

/** The calibration table as Markdown: one row a statement of the paper. */
export function calibrationTable(comparisons: readonly Comparison[]): string {
  const lines = [
    '| Fig. | statement of the paper | paper | this run | error | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const comparison of comparisons) {
    const { statement } = comparison;
    lines.push(
      `| ${statement.figure} | ${statement.quote} | ${paperValue(comparison)} | ${reproducedValue(comparison.reproduced, statement.unit)} | ${errorText(comparison)} | ${comparison.pass ? 'pass' : '**fail**'} |`,
    );
  }
  const passed = comparisons.filter((comparison) => comparison.pass).length;
  lines.push('', `${passed} of ${comparisons.length} calibration statements within tolerance.`);
  return lines.join('\n');
}

/**
 * The validation statements (Figs. 4-7, headline claims) as Markdown:
 * paper, the blind prediction of commit 8be88d8 (from its committed
 * output), this run, error, verdict. A miss is "not reproduced": these
 * statements were never fitted to.
 */
export function validationTable(comparisons: readonly Comparison[], blind: readonly Comparison[] | undefined, blindLabel: string): string {
  const lines = [
    `| Fig. | statement of the paper | paper | blind prediction (${blindLabel}) | this run | error | verdict |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const comparison of comparisons) {
    const { statement } = comparison;
    const before = blind?.find((candidate) => candidate.statement.id === statement.id);
    const blindCell = before === undefined ? 'n/a' : `${reproducedValue(before.reproduced, statement.unit)} (${before.pass ? 'pass' : 'miss'})`;
    lines.push(
      `| ${statement.figure} | ${statement.quote} | ${paperValue(comparison)} | ${blindCell} | ${reproducedValue(comparison.reproduced, statement.unit)} | ${errorText(comparison)} | ${comparison.pass ? 'reproduced' : '**not reproduced**'} |`,
    );
  }
  const passed = comparisons.filter((comparison) => comparison.pass).length;
  const blindPassed = blind === undefined ? undefined : comparisons.filter((c) => blind.find((b) => b.statement.id === c.statement.id)?.pass === true).length;
  lines.push(
    '',
    `${passed} of ${comparisons.length} validation statements within tolerance${blindPassed === undefined ? '' : `; the blind prediction held ${blindPassed}`}. What each model revision changed, and why each miss stays, is in docs/model.md §10.`,
  );
  return lines.join('\n');
}

export interface ReportContext {
  readonly backend: string;
  readonly scale: string;
  readonly seed: number;
  readonly repetitions: number;
  /** The simulator's profile when it is not the paper's (it then models another testbed). */
  readonly profile?: string;
}

const SCALE_NAMES = { paper: 'Paper', ci: 'CI', nested: 'Nested', smoke: 'Smoke' } as const;

/** The guest sizes a scale sweeps, as "96 to 256". */
function sizesAtScale(scale: string): string {
  if (!(SCALES as readonly string[]).includes(scale)) return 'other';
  const { min, max } = memoryRangeMb(Object.values(EXPERIMENTS), scale as Scale);
  return `${min} to ${max}`;
}

/** `appendix`: further sections (the host profile's differences, its validation), in order. */
export function reproductionReport(
  context: ReportContext,
  comparisons: readonly Comparison[] | undefined,
  predictions: string,
  appendix: readonly string[] = [],
  validation?: string,
): string {
  const otherTestbed = context.profile !== undefined && context.profile !== 'paper';
  return [
    `# Reproduction report: backend \`${context.backend}\`${otherTestbed ? `, profile \`${context.profile}\`` : ''}`,
    '',
    `${SCALE_NAMES[context.scale as keyof typeof SCALE_NAMES] ?? context.scale} scale, seed ${context.seed}, ${context.repetitions} repetitions per point. Written by \`npm run experiment\` from the CSVs beside this file.`,
    '',
    '## Calibration statements (Figs. 2 and 3)',
    '',
    'Each statement of the brief (§5) that the model was allowed to be fitted to, the value the paper gives, the value this run reproduces (means over repetitions), and the relative error against a stated tolerance.',
    '',
    comparisons !== undefined
      ? calibrationTable(comparisons)
      : otherTestbed
        ? `The \`${context.profile}\` profile models another testbed than the paper's, so the paper's statements are not compared here.`
        : context.scale === 'paper'
        ? 'Figs. 2 and 3 were not part of this run.'
        : `At ${SCALE_NAMES[context.scale as keyof typeof SCALE_NAMES] ?? context.scale} scale the guests (${sizesAtScale(context.scale)} MB) are not the paper's (up to 4 GB), so its statements are not compared here.`,
    '',
    '## Validation figures (Figs. 4 to 7)',
    '',
    ...(validation === undefined ? [] : [validation, '', '### This run\'s results', '']),
    context.backend === 'sim'
      ? 'Results of the model, from mechanisms documented in docs/model.md; no constant was fitted to them.'
      : 'Measured on this backend.',
    '',
    predictions.length === 0 ? 'None of Figs. 4 to 7 was part of this run.' : predictions,
    '',
    ...appendix.flatMap((section) => [section, '']),
  ].join('\n');
}
