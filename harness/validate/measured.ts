/**
 * A finished qemu run to validate against: its directory (results/qemu, or
 * a results root holding qemu/), what its run.json says about how it ran,
 * and its rows through the typed table readers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readRunInfo, RUN_INFO_FILE, runInfoSchema, runOutcomeSchema } from '../results/run-info.ts';
import type { RunRows } from './compare.ts';

/** The measured results cannot be used; the CLI prints this on one line. */
export class MeasuredRunError extends Error {}

/** run.json as a finished qemu run writes it: the fields validation repeats on the simulator. */
const measuredRunInfoSchema = runInfoSchema.extend({
  backend: z.literal('qemu'),
  outcome: runOutcomeSchema,
  backendInfo: z.looseObject({
    policy: z.enum(['xen', 'qemu']),
    timeoutMs: z.number().positive(),
    accel: z.string(),
  }),
});

export type MeasuredRunInfo = z.infer<typeof measuredRunInfoSchema>;

export interface MeasuredRun {
  readonly dir: string;
  readonly info: MeasuredRunInfo;
  readonly rows: RunRows;
}

/** `path` itself when it holds run.json, else `path/qemu` (a results root). */
export function measuredDirectory(path: string): string {
  if (existsSync(join(path, RUN_INFO_FILE))) return path;
  if (existsSync(join(path, 'qemu', RUN_INFO_FILE))) return join(path, 'qemu');
  throw new MeasuredRunError(`no qemu run at ${path} (no run.json there or in ${join(path, 'qemu')}): run 'npm run experiment -- --backend qemu' first`);
}

/**
 * Reads the run at `path`. `validated` names the figures validation compares
 * (`fig2`, …) and `readRows` reads those of them the run produced.
 */
export function readMeasuredRun(
  path: string,
  validated: readonly string[],
  readRows: (dir: string, figures: readonly string[]) => RunRows,
): MeasuredRun {
  const dir = measuredDirectory(path);
  const runJson = join(dir, RUN_INFO_FILE);
  let info: MeasuredRunInfo;
  try {
    info = readRunInfo(runJson, measuredRunInfoSchema, 'the run.json of a finished qemu run');
  } catch (error) {
    throw new MeasuredRunError(error instanceof Error ? error.message : String(error));
  }
  if (info.outcome.interrupted) throw new MeasuredRunError(`${runJson}: that qemu run was interrupted; rerun it to completion before validating against it`);
  if (!validated.some((figure) => info.figures.includes(figure))) {
    throw new MeasuredRunError(`${runJson}: the run has none of ${validated.join(', ')} (it ran ${info.figures.join(', ')})`);
  }
  try {
    return { dir, info, rows: readRows(dir, info.figures) };
  } catch (error) {
    throw new MeasuredRunError(error instanceof Error ? error.message : String(error));
  }
}
