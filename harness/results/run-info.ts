/**
 * run.json: where a set of results came from. One zod schema defines it;
 * the writer's type is inferred from it and readers parse with it, so the
 * two cannot disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCALES } from '../experiment.ts';

export const runOutcomeSchema = z.object({
  points: z.number().int().nonnegative(),
  migrations: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  /** Of the failures, migrations the experiment gave up on (giveUpAfterS): an outcome of their scheme, not a fault of the run. */
  gaveUp: z.number().int().nonnegative().optional(),
  interrupted: z.boolean(),
});

/** The machine a run ran on, as it started: what a result's speed depends on besides the code. */
export const runHostSchema = z.object({
  cpuModel: z.string(),
  /** Cores available to the process (os.availableParallelism). */
  cores: z.number().int().positive(),
  /** 1, 5 and 15 minute load averages: other work on the machine slows a testbed's migrations. */
  loadAverage: z.array(z.number().nonnegative()).length(3),
  /** The host's kernel release (uname -r). */
  kernel: z.string(),
});

export const runInfoSchema = z.object({
  backend: z.string(),
  /** `fig2`, `fig3`, … in the paper's order. */
  figures: z.array(z.string()),
  seed: z.number().int().nonnegative(),
  repetitions: z.number().int().positive(),
  scale: z.enum(SCALES),
  gitRevision: z.string().optional(),
  /** Whether harness/, experiments/ or the package files had uncommitted changes: then gitRevision alone does not say what ran. */
  gitDirty: z.boolean().optional(),
  nodeVersion: z.string(),
  host: runHostSchema.optional(),
  /** The harness's command line, e.g. ["experiment", "--figure", "2"] (npm run experiment -- --figure 2). */
  command: z.array(z.string()).optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** Written when the run ends; a run.json without it belongs to a run that is still going or died. */
  outcome: runOutcomeSchema.optional(),
  /** Versions and parameters of the backend (its describe()). */
  backendInfo: z.record(z.string(), z.unknown()),
  /** When the run was resumed (--resume), oldest first; `outcome` is the last invocation's. */
  resumedAt: z.array(z.string()).optional(),
  /** The part of a sharded run these results are (--shard i/n). */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  /** For merged shards: the results directories merged, in shard order. */
  mergedFrom: z.array(z.string()).optional(),
});

export type RunInfo = z.infer<typeof runInfoSchema>;
export type RunOutcome = z.infer<typeof runOutcomeSchema>;
export type RunHost = z.infer<typeof runHostSchema>;

export const RUN_INFO_FILE = 'run.json';

/** run.json sits beside the CSVs; it is written at the start and again at the end. */
export function writeRunInfo(resultsDir: string, info: RunInfo): void {
  writeFileSync(join(resultsDir, RUN_INFO_FILE), `${JSON.stringify(runInfoSchema.parse(info), null, 2)}\n`);
}

/** A run.json that cannot be used; the message names the file and the field, on one line. */
export class RunInfoError extends Error {}

/** Reads and checks a run.json against `schema` (runInfoSchema, or a stricter extension of it). */
export function readRunInfo<S extends z.ZodType>(path: string, schema: S, expected: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunInfoError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RunInfoError(`${path}: ${issue.path.map(String).join('.') || 'the file'}: ${issue.message} (expected ${expected})`);
  }
  return parsed.data;
}
