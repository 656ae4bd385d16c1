import type { TableName } from '../results/tables.ts';

/** Which rows a gate reads: one backend's table, one system, and parameter values. */
export interface Selector {
  readonly backend: string;
  readonly table: TableName;
  readonly system: string;
  /** Column values the rows must have, e.g. `{ memory_mb: 4096 }`. */
  readonly where?: Readonly<Record<string, number | string>>;
}

export type Comparator = '<=' | '>=';

interface GateBase {
  readonly name: string;
  /** Why the gate exists; shown in the report. */
  readonly why?: string;
}

/** A metric of one system at one point against a bound (mean over repetitions). */
export interface ThresholdGate extends GateBase {
  readonly kind: 'threshold';
  readonly select: Selector;
  readonly metric: string;
  readonly comparator: Comparator;
  readonly bound: number;
}

/** One selection's metric over another's (means over repetitions) against a bound. */
export interface RatioGate extends GateBase {
  readonly kind: 'ratio';
  readonly numerator: Selector;
  readonly denominator: Selector;
  readonly metric: string;
  readonly comparator: Comparator;
  readonly bound: number;
}

/**
 * A statement of the paper (harness/report/paper.ts: calibration or
 * validation) within its tolerance. `notReproduced` marks a validation
 * statement the model honestly misses (docs/model.md §10 says why): outside
 * its tolerance it is recorded as `not-reproduced`, which does not fail the
 * run; inside, it passes and the report asks to drop the mark. Calibration
 * statements never carry it: the model is fitted to them.
 */
export interface PaperGate extends GateBase {
  readonly kind: 'paper';
  readonly backend: string;
  readonly statement: string;
  readonly notReproduced?: string;
}

/**
 * A metric against the same rows of a baseline. Fails only when the change
 * in the bad direction is larger than `tolerancePct` and a bootstrap
 * confidence interval of the ratio of means excludes 1.
 */
export interface RegressionGate extends GateBase {
  readonly kind: 'regression';
  readonly select: Selector;
  readonly metric: string;
  /** Which direction is worse. */
  readonly worse: 'higher' | 'lower';
  readonly tolerancePct: number;
  /** e.g. 0.95 */
  readonly confidence: number;
}

export type Gate = ThresholdGate | RatioGate | PaperGate | RegressionGate;

export interface Verdict {
  readonly gate: Gate;
  /** `not-reproduced`: a paper gate's known, documented miss; recorded, never failing. */
  readonly status: 'pass' | 'fail' | 'skipped' | 'not-reproduced';
  /** What was measured, for the report. */
  readonly observed: string;
  /** What it was held against. */
  readonly bound: string;
  readonly detail: string;
}
