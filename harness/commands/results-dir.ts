/**
 * Where a run writes, checked before anything runs: --out must be a
 * directory the harness can write, and a results directory whose CSVs hold
 * rows is never truncated. It is refused, resumed (--resume) or cleared
 * with a message saying what goes (--force).
 */
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Scale } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { FIGURE_IDS, figureTables } from '../registry.ts';
import { csvPath } from '../results/csv.ts';
import { readRunInfo, RUN_INFO_FILE, RunInfoError, runInfoSchema, type RunInfo } from '../results/run-info.ts';
import type { Shard } from '../shard.ts';
import { heldTables } from '../run-state.ts';

/**
 * What to do with rows a results directory already holds: refuse to run,
 * resume the run they belong to, remove them saying so (--force), or
 * replace them quietly (a directory the command derives, such as the
 * predictions of validate).
 */
export type ExistingRows = 'refuse' | 'resume' | 'force' | 'replace';

/** --out must name a directory that exists or can be made, and that the harness may write. */
export function checkOut(out: string, option = '--out'): string {
  if (out.trim() === '') throw new UsageError(`${option} needs a directory, got ''`);
  const path = resolve(out);
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) throw new UsageError(`${option} ${out}: ${existing} is a file, not a directory`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${out}: ${existing} is not writable; choose another directory`);
  }
  return path;
}

/** How the run is to be identified, for checking that a resumed directory belongs to the same run. */
export interface RunIdentity {
  readonly backend: string;
  readonly seed: number;
  readonly scale: Scale;
  readonly shard?: Shard;
}

/** What a run starts from: nothing, or the run.json of the run it resumes. */
export interface PriorRun {
  readonly resumed?: RunInfo;
  /**
   * Removes the rows --force (or a derived directory) replaces. Called when
   * the run starts, so a run that cannot start (a missing host profile, a
   * testbed that fails its checks) removes nothing.
   */
  readonly clear: () => void;
}

const KEEP = () => {};

/**
 * Checks the policy for rows already in `resultsDir`, changing nothing.
 * Refuses with one line when they exist and neither --resume nor --force
 * was given; with --force, returns a `clear` that removes them and says so;
 * with --resume, returns the run.json of the run it continues after
 * checking that it is the same run.
 */
export function prepareResultsDir(resultsDir: string, existing: ExistingRows, identity: RunIdentity): PriorRun {
  if (existsSync(resultsDir) && !statSync(resultsDir).isDirectory()) throw new UsageError(`${resultsDir} is a file, not a results directory`);
  const held = existsSync(resultsDir) ? heldTables(resultsDir) : [];
  const rows = held.reduce((sum, table) => sum + table.rows, 0);
  const files = held.map((table) => basename(table.path)).join(', ');
  if (existing === 'force' || existing === 'replace') {
    return {
      clear() {
        if (existing === 'force' && held.length > 0) console.log(`--force: removing ${rows} rows (${files}) and the report of the run in ${resultsDir}`);
        for (const figure of FIGURE_IDS) {
          for (const table of figureTables(figure)) rmSync(csvPath(resultsDir, table), { force: true });
        }
        for (const file of [RUN_INFO_FILE, 'REPORT.md']) rmSync(join(resultsDir, file), { force: true });
      },
    };
  }
  if (held.length === 0) return { clear: KEEP };
  if (existing === 'refuse') {
    throw new UsageError(`${resultsDir} already holds ${rows} rows (${files}): pass --resume to finish that run, --force to start afresh, or another --out`);
  }
  const runJson = join(resultsDir, RUN_INFO_FILE);
  if (!existsSync(runJson)) throw new UsageError(`cannot resume ${resultsDir}: it has no run.json saying how its rows were made; pass --force to start afresh`);
  let resumed: RunInfo;
  try {
    resumed = readRunInfo(runJson, runInfoSchema, 'the run.json of a run');
  } catch (error) {
    if (error instanceof RunInfoError) throw new UsageError(`cannot resume: ${error.message}`);
    throw error;
  }
  const shardOf = (info: { readonly shard?: Shard | undefined }) => (info.shard === undefined ? 'none' : `${info.shard.index}/${info.shard.count}`);
  const theirs = { backend: resumed.backend, seed: resumed.seed, scale: resumed.scale, shard: shardOf(resumed) };
  const ours = { backend: identity.backend, seed: identity.seed, scale: identity.scale, shard: shardOf(identity) };
  for (const field of ['backend', 'seed', 'scale', 'shard'] as const) {
    if (theirs[field] !== ours[field]) {
      throw new UsageError(`cannot resume ${resultsDir}: its run has ${field} ${theirs[field]}, this one ${ours[field]}; pass the same ${field} or --force`);
    }
  }
  return { resumed, clear: KEEP };
}
