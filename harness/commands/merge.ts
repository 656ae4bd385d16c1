/**
 * `npm run merge`: the shards of one run (`--shard i/n`) joined into one
 * results directory: the CSVs in sweep order, run.json listing its shards,
 * REPORT.md, the charts and index.html. Shards of different runs, or that
 * measured the same repetition twice, are refused with one line.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXPERIMENTS } from '../../experiments/index.ts';
import { atScale } from '../../experiments/scales.ts';
import { figureName, pointId, type FigureId } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { FIGURE_IDS, figureTables } from '../registry.ts';
import { csvPath, readRows, writeRows } from '../results/csv.ts';
import { RUN_INFO_FILE, writeRunInfo, type RunInfo } from '../results/run-info.ts';
import { summaryRowKey, taskKey } from '../run-state.ts';
import { sweepTasks, type Task } from '../runner.ts';
import { EXIT_OK } from './context.ts';
import { pageTitle, writeOutputs } from './outputs.ts';
import { figuresOf, profileOf, readRunOf } from './report.ts';
import { checkOut, prepareResultsDir } from './results-dir.ts';

export interface MergeOptions {
  readonly out: string;
  readonly charts: boolean;
  readonly force?: boolean;
}

type Row = Readonly<Record<string, string | number | undefined>>;

interface ShardRun {
  readonly dir: string;
  readonly info: RunInfo;
}

/** `path` when it holds run.json, else the one results/<name>/ under it that does. */
function shardDirectory(path: string): string {
  const dir = resolve(path);
  if (existsSync(join(dir, RUN_INFO_FILE))) return dir;
  const results = join(dir, 'results');
  const runs = existsSync(results) ? readdirSync(results).filter((name) => existsSync(join(results, name, RUN_INFO_FILE))) : [];
  if (runs.length === 1) return join(results, runs[0]!);
  throw new UsageError(`${path}: no run.json there${runs.length > 1 ? ` and ${runs.length} runs under ${results}: name one` : ''}; pass a shard's results directory`);
}

/** The shards must be parts of one run: same backend, profile, seed, scale, repetitions, revision and shard count, each index once. */
function checkShards(shards: readonly ShardRun[]): void {
  const [first] = shards;
  if (first === undefined) throw new UsageError('merge needs at least one shard directory');
  const describe = (run: ShardRun) => ({
    backend: run.info.backend,
    profile: profileOf(run.info) ?? 'paper',
    seed: String(run.info.seed),
    scale: run.info.scale,
    repetitions: String(run.info.repetitions),
    revision: run.info.gitRevision ?? 'none',
    'shard count': String(run.info.shard?.count ?? 'unsharded'),
  });
  for (const run of shards) {
    if (run.info.shard === undefined) throw new UsageError(`${run.dir} is not a shard (its run.json has no shard): merge takes the directories of --shard runs`);
    const mine = describe(run);
    const theirs = describe(first);
    for (const field of Object.keys(mine) as (keyof typeof mine)[]) {
      if (mine[field] !== theirs[field]) throw new UsageError(`${run.dir} has ${field} ${mine[field]} but ${first.dir} has ${theirs[field]}: shards of different runs`);
    }
  }
  const indices = shards.map((run) => run.info.shard!.index);
  const twice = indices.find((index, position) => indices.indexOf(index) !== position);
  if (twice !== undefined) throw new UsageError(`shard ${twice} is given twice`);
}

/** A series row's repetition: its figure has one guest size and one rate, so system and repetition name it. */
const seriesKey = (system: unknown, rep: unknown) => `${String(system)}|${String(rep ?? 1)}`;

/** Each table of the figure, its rows from every shard put in the sweep's order. */
function mergeFigure(figure: FigureId, tasks: readonly Task[], shards: readonly ShardRun[]): Map<string, Row[]> {
  const [summary, ...series] = figureTables(figure);
  const owner = new Map<string, { shard: ShardRun; rows: Row[] }>();
  for (const shard of shards) {
    const path = csvPath(shard.dir, summary!);
    if (!existsSync(path)) continue;
    for (const row of readRows(summary!, path)) {
      const key = summaryRowKey(figure, row);
      const held = owner.get(key);
      if (held !== undefined && held.shard !== shard) {
        throw new UsageError(`${figureName(figure)} ${key.split('|').slice(1).join(' ')} was measured by both ${held.shard.dir} and ${shard.dir}: overlapping shards`);
      }
      if (held === undefined) owner.set(key, { shard, rows: [row] });
      else held.rows.push(row);
    }
  }
  const pointsPerSystem = tasks.filter((task) => task.rep === 1 && task.point.system === tasks[0]?.point.system).length;
  if (series.length > 0 && pointsPerSystem > 1) {
    // Series rows carry only system and repetition; the figures that have series sweep no other parameter.
    throw new Error(`${figureName(figure)} has series but ${pointsPerSystem} points per system: its series rows cannot be told apart`);
  }
  const known = new Set(tasks.map(taskKey));
  const stray = [...owner.keys()].find((key) => !known.has(key));
  if (stray !== undefined) throw new UsageError(`${figureName(figure)} row ${stray} belongs to no point of the run's sweep`);
  const merged = new Map<string, Row[]>([[summary!.name, tasks.flatMap((task) => owner.get(taskKey(task))?.rows ?? [])]]);
  for (const table of series) {
    const byShard = new Map(shards.map((shard) => {
      const path = csvPath(shard.dir, table);
      return [shard, existsSync(path) ? readRows(table, path) : []] as const;
    }));
    const rows = tasks.flatMap((task) => {
      const held = owner.get(taskKey(task));
      if (held === undefined) return [];
      const key = seriesKey(task.point.system, task.rep);
      return byShard.get(held.shard)!.filter((row) => seriesKey(row['system'], row['rep']) === key);
    });
    merged.set(table.name, rows);
  }
  return merged;
}

export async function merge(directories: readonly string[], options: MergeOptions): Promise<number> {
  const shards = directories.map((path) => {
    const dir = shardDirectory(path);
    return { dir, info: readRunOf(dir) };
  });
  checkShards(shards);
  shards.sort((a, b) => a.info.shard!.index - b.info.shard!.index);
  const first = shards[0]!.info;
  const count = first.shard!.count;
  if (shards.length < count) console.log(`merging ${shards.length} of ${count} shards: the missing shards' points stay empty`);
  const figures = FIGURE_IDS.filter((figure) => shards.some((shard) => figuresOf(shard.info, shard.dir).includes(figure)));
  const profile = profileOf(first);
  const name = profile === undefined ? first.backend : `sim-${profile}`;
  const out = checkOut(options.out);
  const resultsDir = resolve(out, 'results', name);
  prepareResultsDir(resultsDir, options.force === true ? 'force' : 'refuse', { backend: first.backend, seed: first.seed, scale: first.scale }).clear();

  let rows = 0;
  let points = 0;
  for (const figure of figures) {
    const tasks = sweepTasks([atScale(EXPERIMENTS[figure], first.scale)], first.repetitions);
    // A point split across shards is counted by each of them: count the sweep's points once.
    points += new Set(tasks.map((task) => pointId(task.point))).size;
    for (const [table, merged] of mergeFigure(figure, tasks, shards)) {
      writeRows(figureTables(figure).find((candidate) => candidate.name === table)!, resultsDir, merged);
      rows += merged.length;
    }
  }
  const outcomes = shards.map((shard) => shard.info.outcome);
  // The shards' hosts and command lines are in their own run.json files; the merged one records the merge.
  const { shard: _shard, resumedAt: _resumedAt, host: _host, ...common } = first;
  writeRunInfo(resultsDir, {
    ...common,
    figures: figures.map((figure) => figureName(figure)),
    startedAt: shards.map((shard) => shard.info.startedAt).sort()[0]!,
    finishedAt: new Date().toISOString(),
    mergedFrom: shards.map((shard) => shard.dir),
    command: process.argv.slice(2),
    ...(outcomes.every((outcome) => outcome !== undefined)
      ? {
          outcome: {
            points,
            migrations: outcomes.reduce((sum, outcome) => sum + outcome.migrations, 0),
            failures: outcomes.reduce((sum, outcome) => sum + outcome.failures, 0),
            gaveUp: outcomes.reduce((sum, outcome) => sum + (outcome.gaveUp ?? 0), 0),
            interrupted: outcomes.some((outcome) => outcome.interrupted),
          },
        }
      : {}),
  });
  console.log(`merged ${rows} rows of ${shards.length} shards into ${resultsDir}`);
  await writeOutputs(resultsDir, resolve(out, 'figures', name), {
    figures,
    context: { backend: first.backend, scale: first.scale, seed: first.seed, repetitions: first.repetitions, ...(profile === undefined ? {} : { profile }) },
    title: pageTitle(first.backend, profile),
    charts: options.charts,
  });
  return EXIT_OK;
}
