import type { Comparison, Reproduced } from './calibration.ts';

function number(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(magnitude >= 1 ? 2 : 3);
}

function paperValue(comparison: Comparison): string {
  const { expect, unit } = comparison.statement;
  return 'range' in expect
    ? `${number(expect.range[0])} to ${number(expect.range[1])} ${unit}`
    : `${number(expect.value)} ${unit} (±${expect.tolerancePct} %)`;
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
    const error = comparison.errorPct === undefined ? '' : `${comparison.errorPct >= 0 ? '+' : ''}${comparison.errorPct.toFixed(1)} %`;
    lines.push(
      `| ${statement.figure} | ${statement.quote} | ${paperValue(comparison)} | ${reproducedValue(comparison.reproduced, statement.unit)} | ${error} | ${comparison.pass ? 'pass' : '**fail**'} |`,
    );
  }
  const passed = comparisons.filter((comparison) => comparison.pass).length;
  lines.push('', `${passed} of ${comparisons.length} calibration statements within tolerance.`);
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

/** `appendix`: further sections (the host profile's differences, its validation), in order. */
export function reproductionReport(
  context: ReportContext,
  comparisons: readonly Comparison[] | undefined,
  predictions: string,
  appendix: readonly string[] = [],
): string {
  const otherTestbed = context.profile !== undefined && context.profile !== 'paper';
  return [
    `# Reproduction report: backend \`${context.backend}\`${otherTestbed ? `, profile \`${context.profile}\`` : ''}`,
    '',
    `${context.scale === 'paper' ? 'Paper' : 'CI'} scale, seed ${context.seed}, ${context.repetitions} repetitions per point. Written by \`npm run experiment\` from the CSVs beside this file.`,
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
        : "At CI scale the guests (128 to 512 MB) are not the paper's (up to 4 GB), so its statements are not compared here.",
    '',
    '## Validation figures (Figs. 4 to 7)',
    '',
    context.backend === 'sim'
      ? 'The brief withholds the paper\'s numbers for these figures. Below are **predictions** of the model, from mechanisms documented in docs/model.md; no constant was fitted to them.'
      : 'Measured on this backend; the brief withholds the paper\'s numbers for these figures.',
    '',
    predictions.length === 0 ? 'None of Figs. 4 to 7 was part of this run.' : predictions,
    '',
    ...appendix.flatMap((section) => [section, '']),
  ].join('\n');
}
