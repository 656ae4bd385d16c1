import { compareWithPaper, type Comparison } from '../report/calibration.ts';
import { VALIDATION_STATEMENTS } from '../report/paper.ts';
import { compareValidation, type StatementRows } from '../report/paper-validation.ts';
import type { Fig2Row, Fig3Row, TableName } from '../results/tables.ts';
import { bootstrapRatioInterval, mean } from '../stats.ts';
import type { Comparator, Gate, Selector, Verdict } from './types.ts';

export type Row = Readonly<Record<string, string | number | undefined>>;

/** Rows of one backend's table; throws when they cannot be read. */
export type RowSource = (backend: string, table: TableName) => readonly Row[];

const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4));

function describeSelector(selector: Selector): string {
  const where = Object.entries(selector.where ?? {}).map(([column, value]) => `${column}=${value}`);
  return [selector.backend, selector.table, selector.system, ...where].join(' ');
}

/** The metric's values over the selected rows that succeeded. */
export function selectValues(source: RowSource, selector: Selector, metric: string): number[] {
  return source(selector.backend, selector.table)
    .filter((row) => row.system === selector.system && (row.status === undefined || row.status === 'ok'))
    .filter((row) => Object.entries(selector.where ?? {}).every(([column, value]) => row[column] === value))
    .map((row) => row[metric])
    .filter((value): value is number => typeof value === 'number');
}

function holds(value: number, comparator: Comparator, bound: number): boolean {
  return comparator === '<=' ? value <= bound : value >= bound;
}

function noRows(gate: Gate, selector: Selector, metric: string): Verdict {
  return {
    gate,
    status: 'fail',
    observed: 'no rows',
    bound: '',
    detail: `no successful rows with ${metric} for ${describeSelector(selector)}`,
  };
}

/** Evaluates one gate; `baseline` is needed only by regression gates. */
export function evaluateGate(gate: Gate, current: RowSource, baseline: RowSource | undefined): Verdict {
  switch (gate.kind) {
    case 'threshold': {
      const values = selectValues(current, gate.select, gate.metric);
      const observed = mean(values);
      if (observed === undefined) return noRows(gate, gate.select, gate.metric);
      return {
        gate,
        status: holds(observed, gate.comparator, gate.bound) ? 'pass' : 'fail',
        observed: format(observed),
        bound: `${gate.comparator} ${format(gate.bound)}`,
        detail: `mean ${gate.metric} of ${values.length} rows, ${describeSelector(gate.select)}`,
      };
    }
    case 'ratio': {
      const top = mean(selectValues(current, gate.numerator, gate.metric));
      const bottom = mean(selectValues(current, gate.denominator, gate.metric));
      if (top === undefined) return noRows(gate, gate.numerator, gate.metric);
      if (bottom === undefined) return noRows(gate, gate.denominator, gate.metric);
      const observed = top / bottom;
      return {
        gate,
        status: holds(observed, gate.comparator, gate.bound) ? 'pass' : 'fail',
        observed: `${format(observed)}x`,
        bound: `${gate.comparator} ${format(gate.bound)}x`,
        detail: `${gate.metric}: ${describeSelector(gate.numerator)} over ${describeSelector(gate.denominator)}`,
      };
    }
    case 'paper': {
      const comparison = paperComparison(gate.statement, gate.backend, current);
      if (comparison === undefined) throw new Error(`gate '${gate.name}' names unknown paper statement '${gate.statement}'`);
      const { statement, reproduced } = comparison;
      const expect = statement.expect;
      const knownMiss = gate.notReproduced !== undefined;
      return {
        gate,
        status: comparison.pass ? 'pass' : knownMiss && reproduced !== undefined ? 'not-reproduced' : 'fail',
        observed:
          reproduced === undefined
            ? 'no rows'
            : 'value' in reproduced
              ? `${format(reproduced.value)} ${statement.unit}`
              : `${format(reproduced.min)} to ${format(reproduced.max)} ${statement.unit}`,
        bound:
          'range' in expect
            ? expect.range[1] === Number.POSITIVE_INFINITY
              ? `>= ${expect.range[0]} ${statement.unit}`
              : `${expect.range[0]} to ${expect.range[1]} ${statement.unit}`
            : `${expect.value} ${statement.unit} ±${expect.tolerancePct} %`,
        detail: `${statement.source}: ${statement.quote}${
          knownMiss ? (comparison.pass ? ' (now reproduced: drop its not-reproduced mark in experiments/gates.ts)' : ` (not reproduced: ${gate.notReproduced})`) : ''
        }`,
      };
    }
    case 'regression': {
      if (baseline === undefined) {
        return { gate, status: 'skipped', observed: '', bound: '', detail: 'no baseline given (--baseline DIR|REV)' };
      }
      const now = selectValues(current, gate.select, gate.metric);
      const before = selectValues(baseline, gate.select, gate.metric);
      const nowMean = mean(now);
      const beforeMean = mean(before);
      if (nowMean === undefined) return noRows(gate, gate.select, gate.metric);
      if (beforeMean === undefined) {
        return { ...noRows(gate, gate.select, gate.metric), detail: `the baseline has no successful rows for ${describeSelector(gate.select)}` };
      }
      return judgeRegression(gate, now, before, nowMean / beforeMean);
    }
  }
}

function judgeRegression(
  gate: Extract<Gate, { kind: 'regression' }>,
  now: readonly number[],
  before: readonly number[],
  ratio: number,
): Verdict {
  const interval = bootstrapRatioInterval(now, before, gate.confidence);
  const changePct = (ratio - 1) * 100;
  const worsePct = gate.worse === 'higher' ? changePct : -changePct;
  const significant = gate.worse === 'higher' ? interval.low > 1 : interval.high < 1;
  const regressed = worsePct > gate.tolerancePct && significant;
  return {
    gate,
    status: regressed ? 'fail' : 'pass',
    observed: `${changePct >= 0 ? '+' : ''}${changePct.toFixed(1)} % (${Math.round(gate.confidence * 100)} % CI of ratio ${interval.low.toFixed(3)} to ${interval.high.toFixed(3)})`,
    bound: `${gate.worse === 'higher' ? '<=' : '>='} ${gate.worse === 'higher' ? '+' : '-'}${gate.tolerancePct} % or not significant`,
    detail: `mean ${gate.metric} of ${now.length} rows against ${before.length} baseline rows, ${describeSelector(gate.select)}`,
  };
}

/** A calibration or validation statement judged on one backend's rows. */
function paperComparison(id: string, backend: string, current: RowSource): Comparison | undefined {
  const validation = VALIDATION_STATEMENTS.find((statement) => statement.id === id);
  if (validation === undefined) {
    return compareWithPaper(
      current(backend, 'fig2') as unknown as readonly Fig2Row[],
      current(backend, 'fig3') as unknown as readonly Fig3Row[],
    ).find((candidate) => candidate.statement.id === id);
  }
  const rows: Record<string, readonly Row[]> = {};
  for (const table of validation.reads) rows[table] = current(backend, table);
  return compareValidation(rows as unknown as StatementRows, [validation])[0];
}
