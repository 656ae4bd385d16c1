import junit, { type Builder } from 'junit-report-builder';
import type { Gate, Verdict } from './types.ts';

// The package is CommonJS: at run time its default import is the builder itself.
const builder = junit as unknown as Builder;

const STATUS = { pass: 'pass', fail: 'FAIL', skipped: 'skip', 'not-reproduced': 'not reproduced (known miss, does not fail)' } as const;

/** A metric's unit, from its column name's suffix (the CSVs carry units in their names). */
const UNITS: readonly (readonly [string, string])[] = [
  ['_bytes', 'bytes'],
  ['_pct', '%'],
  ['_mbps', 'Mbit/s'],
  ['_rps', 'replies/s'],
  ['_s', 's'],
];

const metricOf = (gate: Gate): string | undefined => (gate.kind === 'paper' ? undefined : gate.metric);

/** Four significant digits, without trailing zeros: 0.6393, 16.03, 1117. */
const number = (value: number) => String(Number(value.toPrecision(4)));

/** Bytes in binary units, as the report writes GiB: 326190 -> "318.5 KiB". */
function bytes(value: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${number(scaled)} ${units[unit]}`;
}

/**
 * An observed value or bound as the terminal, the markdown and JUnit show
 * it: every bare number gets its metric's unit, every ratio is written
 * "7.277×" (evaluate.ts writes "7.277x", the paper's statements "1.2 x").
 */
export function presentValue(text: string, gate: Gate): string {
  const ratio = text.replace(/(\d(?:[\d.]*\d)?) ?x\b/g, (_, value: string) => `${number(Number(value))}×`);
  if (ratio !== text || gate.kind === 'ratio') return ratio;
  const metric = metricOf(gate);
  const unit = metric === undefined ? undefined : UNITS.find(([suffix]) => metric.endsWith(suffix))?.[1];
  // Only a bare number (after an optional comparator) lacks a unit; paper statements carry theirs.
  const match = /^(<=|>=|<|>)?\s*(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (unit === undefined || match === null) return text;
  const value = Number(match[2]);
  const shown = unit === 'bytes' ? bytes(value) : unit === '%' ? `${number(value)} %` : `${number(value)} ${unit}`;
  return `${match[1] === undefined ? '' : `${match[1]} `}${shown}`;
}

const shown = (verdict: Verdict) => ({ observed: presentValue(verdict.observed, verdict.gate), bound: presentValue(verdict.bound, verdict.gate) });

/** The verdicts as a plain-text table for the terminal. */
export function verdictTable(verdicts: readonly Verdict[]): string {
  const rows = [['gate', 'observed', 'bound', 'verdict'], ...verdicts.map((v) => [v.gate.name, shown(v).observed, shown(v).bound, STATUS[v.status]])];
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
      (v) => `| ${escape(v.gate.name)} | ${escape(shown(v).observed)} | ${escape(shown(v).bound)} | ${v.status === 'fail' ? '**fail**' : v.status} | ${escape(v.detail)} |`,
    ),
    '',
    summaryLine(verdicts),
    '',
  ].join('\n');
}

/**
 * JUnit XML, one test case per gate, for CI systems to display: each case
 * with the seconds its evaluation took (`seconds[i]` for `verdicts[i]`) and
 * what it observed against what bound, passing cases too (as a property
 * and in system-out), so a CI page shows how close a pass was.
 */
export function verdictJunit(verdicts: readonly Verdict[], seconds: readonly number[] = []): string {
  const report = builder.newBuilder();
  const total = Math.round(seconds.reduce((sum, value) => sum + value, 0) * 1000) / 1000;
  const suite = report.testSuite().name('vmbeam gates').time(total);
  verdicts.forEach((verdict, index) => {
    const { observed, bound } = shown(verdict);
    const testCase = suite
      .testCase()
      .className(`gates.${verdict.gate.kind}`)
      .name(verdict.gate.name)
      .time(seconds[index] ?? 0)
      .property('observed', observed)
      .property('bound', bound)
      .standardOutput(`observed ${observed === '' ? '(none)' : observed}, bound ${bound === '' ? '(none)' : bound}${verdict.detail === '' ? '' : `: ${verdict.detail}`}`);
    if (verdict.status === 'fail') testCase.failure(`observed ${observed}, bound ${bound}: ${verdict.detail}`);
    if (verdict.status === 'skipped') testCase.skipped();
    // A known miss of the paper passes CI but says so with the test case.
    if (verdict.status === 'not-reproduced') testCase.standardOutput(`not reproduced (known miss): observed ${observed}, paper ${bound}: ${verdict.detail}`);
  });
  return report.build();
}
