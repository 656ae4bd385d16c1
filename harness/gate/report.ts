import junit, { type Builder } from 'junit-report-builder';
import type { Verdict } from './types.ts';

// The package is CommonJS: at run time its default import is the builder itself.
const builder = junit as unknown as Builder;

const STATUS = { pass: 'pass', fail: 'FAIL', skipped: 'skip', 'not-reproduced': 'not reproduced (known miss, does not fail)' } as const;

/** The verdicts as a plain-text table for the terminal. */
export function verdictTable(verdicts: readonly Verdict[]): string {
  const rows = [['gate', 'observed', 'bound', 'verdict'], ...verdicts.map((v) => [v.gate.name, v.observed, v.bound, STATUS[v.status]])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export function summaryLine(verdicts: readonly Verdict[]): string {
  const count = (status: Verdict['status']) => verdicts.filter((verdict) => verdict.status === status).length;
  const misses = count('not-reproduced');
  return `${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped${misses > 0 ? `, ${misses} not reproduced (known misses of the paper, recorded, not failing)` : ''}`;
}

export function verdictMarkdown(verdicts: readonly Verdict[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '# Gate report',
    '',
    '| gate | observed | bound | verdict | detail |',
    '| --- | --- | --- | --- | --- |',
    ...verdicts.map(
      (v) => `| ${escape(v.gate.name)} | ${escape(v.observed)} | ${escape(v.bound)} | ${v.status === 'fail' ? '**fail**' : v.status} | ${escape(v.detail)} |`,
    ),
    '',
    summaryLine(verdicts),
    '',
  ].join('\n');
}

/** JUnit XML, one test case per gate, for CI systems to display. */
export function verdictJunit(verdicts: readonly Verdict[]): string {
  const report = builder.newBuilder();
  const suite = report.testSuite().name('vmbeam gates');
  for (const verdict of verdicts) {
    const testCase = suite.testCase().className(`gates.${verdict.gate.kind}`).name(verdict.gate.name);
    if (verdict.status === 'fail') testCase.failure(`observed ${verdict.observed}, bound ${verdict.bound}: ${verdict.detail}`);
    if (verdict.status === 'skipped') testCase.skipped();
    // A known miss of the paper passes CI but is printed with the test case.
    if (verdict.status === 'not-reproduced') testCase.standardOutput(`not reproduced (known miss): observed ${verdict.observed}, paper ${verdict.bound}: ${verdict.detail}`);
  }
  return report.build();
}
