import type { Backend, MigrationMeasurement, ServiceMeasurement } from './backends/backend.ts';
import {
  deriveSeed,
  expandPoints,
  isGaveUp,
  measurementId,
  pointId,
  type FigureId,
  type MigrationExperiment,
  type MigrationPoint,
} from './experiment.ts';

/** What one repetition of one point came to, tagged by kind. */
export type Outcome =
  | { readonly kind: 'migration'; readonly status: 'ok'; readonly measurement: MigrationMeasurement }
  | { readonly kind: 'service'; readonly status: 'ok'; readonly service: ServiceMeasurement }
  | { readonly kind: 'failed'; readonly status: 'failed'; readonly error: string };

/** Writes a figure's rows as they are produced. */
export interface FigureRecorder {
  record(point: MigrationPoint, rep: number, outcome: Outcome): void;
}

export interface RunPlan {
  readonly experiments: readonly MigrationExperiment[];
  readonly repetitions: number;
  readonly seed: number;
  /** Where each figure's rows go (the figure registry opens its CSVs). */
  readonly openRecorder: (figure: FigureId) => FigureRecorder;
  /**
   * Whether a repetition is to run here: a resumed run skips what it already
   * has, a shard what belongs to another. Default: every one.
   */
  readonly selected?: (task: Task) => boolean;
}

export interface PointProgress {
  readonly figure: FigureId;
  readonly point: string;
  readonly ok: number;
  readonly failed: number;
  readonly elapsedS: number;
  /** The first failure's message, if any. */
  readonly firstError: string | undefined;
}

export interface RunSummary {
  readonly points: number;
  readonly migrations: number;
  readonly failures: number;
  /** Of the failures, migrations the experiment gave up on (experiment.ts gaveUpError): outcomes, not faults. */
  readonly gaveUp: number;
}

/** One repetition of one point of one experiment. */
export interface Task {
  readonly experiment: MigrationExperiment;
  readonly point: MigrationPoint;
  readonly rep: number;
}

/** Every repetition of every point, in sweep order: experiments, then points, then repetitions. */
export function sweepTasks(experiments: readonly MigrationExperiment[], repetitions: number): Task[] {
  return experiments.flatMap((experiment) =>
    expandPoints(experiment).flatMap((point) =>
      Array.from({ length: experiment.repetitions ?? repetitions }, (_, index) => ({ experiment, point, rep: index + 1 })),
    ),
  );
}

/** Tasks with one key share one migration (see measurementId). */
export function measurementKey(task: Task): string {
  return `${task.experiment.kind}|${measurementId(task.point)}|${task.rep}`;
}

/** The same, across repetitions too when the backend's measurement of the point does not depend on the seed. */
export function sharedKey(task: Task, backend: Backend): string {
  return backend.seedIndependent?.(task.point) === true ? `${task.experiment.kind}|${measurementId(task.point)}|every repetition` : measurementKey(task);
}

/** A migration the abort cut short: it neither succeeded nor failed, so it gets no row. */
const INTERRUPTED = Symbol('interrupted');
type Ran = Outcome | typeof INTERRUPTED;

/**
 * Runs every point of every experiment on the backend and appends each row
 * to its CSV as soon as it and every row before it exist: up to
 * `backend.concurrency` migrations run at once, but rows are written in
 * sweep order, so a run's files do not depend on timing. A failing
 * migration becomes a `failed` row and the run goes on; an abort (SIGINT)
 * starts nothing new, keeps what finished and writes no row for what it
 * cut short.
 */
export async function runExperiments(
  plan: RunPlan,
  backend: Backend,
  onPoint: (progress: PointProgress) => void,
  signal: AbortSignal,
): Promise<RunSummary> {
  const tasks = sweepTasks(plan.experiments, plan.repetitions).filter((task) => plan.selected?.(task) ?? true);
  // A point is done when its last repetition that runs here is recorded.
  const lastOfPoint = new Map(tasks.map((task, index) => [`${task.experiment.figure}|${pointId(task.point)}`, index]));
  const recorders = new Map(
    plan.experiments.map((experiment) => [experiment, plan.openRecorder(experiment.figure)]),
  );
  await backend.prepare?.(tasks.map((task) => task.point), signal);
  const outcomes: (Promise<Ran> | undefined)[] = new Array(tasks.length);
  // One migration serves every figure that plots it (see measurementId).
  const measured = new Map<string, Promise<Ran>>();
  const recorded = new Set<string>();
  let started = 0;
  const startNext = (): void => {
    if (started < tasks.length && !signal.aborted) {
      const task = tasks[started]!;
      const key = sharedKey(task, backend);
      let outcome = measured.get(key);
      if (outcome === undefined) {
        outcome = runOne(backend, task.experiment.kind, task.point, deriveSeed(plan.seed, task.point, task.rep), signal);
        measured.set(key, outcome);
      }
      outcomes[started++] = outcome;
    }
  };
  for (let i = 0; i < Math.max(1, backend.concurrency); i++) startNext();

  let points = 0;
  let failures = 0;
  let gaveUp = 0;
  let pointStarted = performance.now();
  let tally = { ok: 0, failed: 0, firstError: undefined as string | undefined };
  for (let index = 0; index < started; index++) {
    const outcome = await outcomes[index]!;
    // Rows go in sweep order: nothing after a cut-short migration is written either.
    if (outcome === INTERRUPTED) break;
    const task = tasks[index]!;
    recorders.get(task.experiment)!.record(task.point, task.rep, outcome);
    recorded.add(sharedKey(task, backend));
    if (outcome.status === 'ok') tally.ok++;
    else {
      tally.failed++;
      failures++;
      if (isGaveUp(outcome.error)) gaveUp++;
      tally.firstError ??= outcome.error;
    }
    if (lastOfPoint.get(`${task.experiment.figure}|${pointId(task.point)}`) === index) {
      points++;
      onPoint({
        figure: task.experiment.figure,
        point: pointId(task.point),
        ...tally,
        elapsedS: (performance.now() - pointStarted) / 1000,
      });
      tally = { ok: 0, failed: 0, firstError: undefined };
      pointStarted = performance.now();
    }
    startNext();
  }
  return { points, migrations: recorded.size, failures, gaveUp };
}


async function runOne(
  backend: Backend,
  kind: MigrationExperiment['kind'],
  point: MigrationPoint,
  seed: number,
  signal: AbortSignal,
): Promise<Ran> {
  try {
    return kind === 'migration'
      ? { kind: 'migration', status: 'ok', measurement: await backend.migrate(point, { seed, signal }) }
      : { kind: 'service', status: 'ok', service: await backend.measureService(point, { seed, signal }) };
  } catch (error) {
    if (signal.aborted) return INTERRUPTED;
    return { kind: 'failed', status: 'failed', error: oneLine(error) };
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}
