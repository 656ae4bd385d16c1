/**
 * One run of figures on a backend, from the first row to the last chart:
 * run.json, the CSVs (rows appended as they come), REPORT.md, the charts
 * and index.html. The experiment and validate commands both run this.
 */
import { mkdirSync } from 'node:fs';
import { atScale } from '../../experiments/scales.ts';
import { EXPERIMENTS } from '../../experiments/index.ts';
import type { Backend, BackendName } from '../backends/backend.ts';
import type { FigureId, Scale } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { csvRecorders, FIGURE_IDS } from '../registry.ts';
import { writeRunInfo, type RunInfo } from '../results/run-info.ts';
import { figureName, pointId } from '../experiment.ts';
import { runExperiments, sharedKey, sweepTasks, type Task } from '../runner.ts';
import { finishedTasks, taskKey } from '../run-state.ts';
import { partition, type Shard } from '../shard.ts';
import { restrictToSystems, skipLine } from '../skip-systems.ts';
import type { SystemName } from '../systems.ts';
import type { PriorRun } from './results-dir.ts';
import { EXIT_FAILURES, EXIT_OK, type CommandContext } from './context.ts';
import { pageTitle, writeOutputs, type RenderedChart } from './outputs.ts';
import { progressReporter, type ProgressPlan, type ProgressReporter } from './progress.ts';
import { gitDirty, gitRevision, runHost } from './provenance.ts';

export interface RunSpec {
  readonly backendName: BackendName;
  readonly resultsDir: string;
  readonly figuresDir: string;
  readonly figures: readonly FigureId[];
  readonly scale: Scale;
  readonly seed: number;
  readonly repetitions: number;
  readonly charts: boolean;
  /** Only these systems (--systems); undefined: every system the backend runs. */
  readonly systems?: readonly SystemName[];
  readonly profile?: string;
  /** Further report sections (a host profile's differences). */
  readonly appendix?: readonly string[];
  /** What the results directory held before (prepareResultsDir): the run this one resumes, if any. */
  readonly prior: PriorRun;
  /** This run's part of a sharded run, and the figures the whole partition is computed over. */
  readonly shard?: { readonly shard: Shard; readonly universe: readonly FigureId[] };
}

export interface RunOutcome {
  readonly exitCode: number;
  readonly failures: number;
  readonly interrupted: boolean;
  /** REPORT.md's text, unless the run was interrupted. */
  readonly report?: string;
  readonly charts?: readonly RenderedChart[];
}

/** Runs the figures on the backend, then writes REPORT.md and (unless told not to) the charts and index.html. */
export async function runAndReport(backend: Backend, spec: RunSpec, context: CommandContext): Promise<RunOutcome> {
  const { backendName, resultsDir, figures } = spec;
  // A testbed may not offer every figure (Fig. 4 needs the cloud Dom0, Fig. 6 the guest's address).
  const notOffered = figures.filter((figure) => !backend.figures.includes(figure));
  if (notOffered.length > 0) {
    await backend.close();
    throw new UsageError(`this ${backendName} testbed cannot produce figure ${notOffered[0]} (valid: ${backend.figures.join(', ')}; see docs/${backendName}-testbed.md)`);
  }
  const lacking = spec.systems?.find((system) => backend.systems !== undefined && !backend.systems.includes(system));
  if (lacking !== undefined) {
    await backend.close();
    throw new UsageError(`this ${backendName} testbed does not run ${lacking} (it runs: ${backend.systems?.join(', ')})`);
  }
  // Only now that the run can start: a bad command line leaves no empty result directory behind, and --force removes nothing.
  spec.prior.clear();
  mkdirSync(resultsDir, { recursive: true });
  try {
    return await context.interruptible(async (signal) => {
      const base = await runInfo(backend, spec);
      writeRunInfo(resultsDir, base);
      // What run.json says if the process is ended before this body unwinds (a second signal, the safety net's deadline).
      const tally = { points: 0, migrations: 0, failures: 0 };
      const unregister = context.onForcedExit(() =>
        writeRunInfo(resultsDir, { ...base, finishedAt: new Date().toISOString(), outcome: { ...tally, interrupted: true } }),
      );
      try {
        return await runAndWrite(backend, spec, base, tally, signal, context);
      } finally {
        unregister();
      }
    });
  } finally {
    await backend.close();
  }
}

/** run.json as the run starts: a resumed run keeps its start and lists every figure the directory holds. */
async function runInfo(backend: Backend, spec: RunSpec): Promise<RunInfo> {
  const { resumed } = spec.prior;
  const allFigures = FIGURE_IDS.filter((figure) => spec.figures.includes(figure) || (resumed?.figures.includes(figureName(figure)) ?? false));
  const now = new Date().toISOString();
  return {
    backend: spec.backendName,
    figures: allFigures.map((figure) => figureName(figure)),
    seed: spec.seed,
    repetitions: spec.repetitions,
    scale: spec.scale,
    gitRevision: await gitRevision(),
    gitDirty: await gitDirty(),
    nodeVersion: process.version,
    host: runHost(),
    // What was typed after the script's name: enough to run it again (npm run <command> -- <options>).
    command: process.argv.slice(2),
    startedAt: resumed?.startedAt ?? now,
    backendInfo: await backend.describe(),
    ...(resumed === undefined ? {} : { resumedAt: [...(resumed.resumedAt ?? []), now] }),
    ...(spec.shard === undefined ? {} : { shard: spec.shard.shard }),
  };
}

async function runAndWrite(
  backend: Backend,
  spec: RunSpec,
  base: RunInfo,
  tally: { points: number; migrations: number; failures: number },
  signal: AbortSignal,
  context: CommandContext,
): Promise<RunOutcome> {
  const { backendName, resultsDir, figuresDir, figures, scale, seed, repetitions } = spec;
  const finished = spec.prior.resumed === undefined ? undefined : finishedTasks(resultsDir, figures);
  const inShard = spec.shard === undefined ? undefined : shardFilter(backend, spec.shard.shard, spec.shard.universe, scale, repetitions);
  // A testbed without some systems runs none of their points: one line says which, no row records them.
  // Systems left out with --systems are left out as asked, without a line.
  const { experiments, skipped } = restrictToSystems(figures.map((figure) => atScale(EXPERIMENTS[figure], scale)), spec.systems ?? backend.systems);
  if (skipped.length > 0 && spec.systems === undefined) console.log(skipLine(skipped, backendName));
  const selected = (task: Task) => !(finished?.has(taskKey(task)) ?? false) && (inShard?.(task) ?? true);
  const progress = progressReporter(progressPlan(backend, sweepTasks(experiments, repetitions).filter(selected)), {
    live: process.stdout.isTTY === true && process.env['CI'] === undefined,
  });
  let summary: Awaited<ReturnType<typeof runExperiments>>;
  try {
    summary = await runExperiments(
      { experiments, repetitions, seed, openRecorder: csvRecorders(resultsDir, backendName), selected },
      announcingPrepare(backend, progress),
      (point) => {
        tally.points++;
        tally.migrations += point.ok + point.failed;
        tally.failures += point.failed;
        progress.point(point);
      },
      signal,
    );
  } finally {
    progress.stop();
  }
  const ended = (interrupted: boolean) =>
    writeRunInfo(resultsDir, { ...base, finishedAt: new Date().toISOString(), outcome: { ...summary, interrupted } });
  ended(signal.aborted);
  console.log(`wrote ${summary.migrations} migrations of ${summary.points} points to ${resultsDir}`);
  // The exit code is read when returned: the signal may arrive while the report is written.
  const interruptedOutcome = () => ({ exitCode: context.interruptedExitCode(), failures: summary.failures, interrupted: true });
  if (signal.aborted) {
    console.error('interrupted: the rows written so far are kept; rerun with --resume to complete the figures');
    return interruptedOutcome();
  }
  // Migrations the experiment gave up on are results of their scheme; only the others fail the run.
  const failed = summary.failures - summary.gaveUp > 0;
  if (spec.shard !== undefined) {
    const { index, count } = spec.shard.shard;
    console.log(`shard ${index}/${count} done: merge the shards with 'npm run merge -- DIR... --out DIR' for the report and charts`);
    return { exitCode: failed ? EXIT_FAILURES : EXIT_OK, failures: summary.failures, interrupted: false };
  }
  let outputs: Awaited<ReturnType<typeof writeOutputs>> | undefined;
  try {
    outputs = await writeOutputs(resultsDir, figuresDir, {
      figures: FIGURE_IDS.filter((figure) => base.figures.includes(figureName(figure))),
      context: { backend: backendName, scale, seed, repetitions, ...(spec.profile === undefined ? {} : { profile: spec.profile }) },
      title: pageTitle(backendName, spec.profile),
      appendix: spec.appendix ?? [],
      charts: spec.charts,
      signal,
    });
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  if (outputs === undefined || signal.aborted) {
    ended(true);
    console.error(`interrupted while writing the report and charts: every row is kept; rebuild them with npm run report -- --results ${resultsDir}`);
    return interruptedOutcome();
  }
  if (summary.gaveUp > 0) {
    console.log(`${summary.gaveUp} of ${summary.migrations} migrations did not converge within the experiment's give-up time: failed rows, an outcome of their scheme`);
  }
  if (failed) console.error(`${summary.failures - summary.gaveUp} of ${summary.migrations} migrations failed: see the status and error columns`);
  return { exitCode: failed ? EXIT_FAILURES : EXIT_OK, failures: summary.failures, interrupted: false, ...outputs };
}

/** Whether a task's measurement belongs to this shard, partitioned over every figure the run could have asked for. */
function shardFilter(backend: Backend, shard: Shard, universe: readonly FigureId[], scale: Scale, repetitions: number): (task: Task) => boolean {
  const everything = sweepTasks(universe.map((figure) => atScale(EXPERIMENTS[figure], scale)), repetitions);
  const shardOf = partition(
    // One measurement, one shard: repetitions the backend computes once stay together.
    everything.map((task) => ({ key: sharedKey(task, backend), cost: backend.expectedCost?.(task.point, task.experiment.kind) ?? 1 })),
    shard.count,
  );
  return (task) => shardOf.get(sharedKey(task, backend)) === shard.index;
}

/** Each point the run will finish, with what it is expected to cost (the backend's estimate, else 1 per repetition). */
function progressPlan(backend: Backend, tasks: readonly Task[]): ProgressPlan {
  const costs = new Map<string, number>();
  for (const task of tasks) {
    const key = `${task.experiment.figure}|${pointId(task.point)}`;
    costs.set(key, (costs.get(key) ?? 0) + (backend.expectedCost?.(task.point, task.experiment.kind) ?? 1));
  }
  return { costs };
}

/** The backend, saying what its warm-up does and how long it took: a qemu run boots every guest size first, silently otherwise. */
function announcingPrepare(backend: Backend, progress: ProgressReporter): Backend {
  const prepare = backend.prepare?.bind(backend);
  if (prepare === undefined) return backend;
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'prepare') {
        return async (points: Parameters<typeof prepare>[0], signal: AbortSignal) => {
          const sizes = [...new Set(points.map((point) => point.memoryMb))].sort((a, b) => a - b);
          progress.log(`preparing the ${backend.name} testbed: booting and saving the sweep's guest sizes once (${sizes.join(', ')} MB); nothing is measured yet`);
          const started = Date.now();
          await prepare(points, signal);
          progress.log(`prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          progress.measuring();
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the real backend, so its own fields (private or #private) stay reachable.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
