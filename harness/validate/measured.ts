/**
 * A finished qemu run to validate against: its directory (results/qemu, or
 * a results root holding qemu/), what its run.json says about how it ran,
 * and its rows through the typed table readers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCALES } from '../../experiments/scales.ts';
import { csvPath, readTable } from '../results/csv.ts';
import { fig2Table, fig4Table, fig6Table } from '../results/tables.ts';
import type { RunRows } from './compare.ts';

/** The measured results cannot be used; the CLI prints this on one line. */
export class MeasuredRunError extends Error {}

const runInfoSchema = z.looseObject({
  backend: z.literal('qemu'),
  figures: z.array(z.string()),
  seed: z.number().int().nonnegative(),
  repetitions: z.number().int().positive(),
  scale: z.enum(SCALES),
  startedAt: z.string(),
  gitRevision: z.string().optional(),
  outcome: z.looseObject({ interrupted: z.boolean(), failures: z.number().int().nonnegative() }),
  backendInfo: z.looseObject({
    policy: z.enum(['xen', 'qemu']),
    timeoutMs: z.number().positive(),
    accel: z.string(),
  }),
});

export type MeasuredRunInfo = z.infer<typeof runInfoSchema>;

export interface MeasuredRun {
  readonly dir: string;
  readonly info: MeasuredRunInfo;
  readonly rows: RunRows;
}

/** `path` itself when it holds run.json, else `path/qemu` (a results root). */
export function measuredDirectory(path: string): string {
  if (existsSync(join(path, 'run.json'))) return path;
  if (existsSync(join(path, 'qemu', 'run.json'))) return join(path, 'qemu');
  throw new MeasuredRunError(`no qemu run at ${path} (no run.json there or in ${join(path, 'qemu')}): run 'npm run experiment -- --backend qemu' first`);
}

/** The figures validation reads, if the run produced them. */
export function readRunRows(dir: string, figures: readonly string[]): RunRows {
  const read = <T>(figure: string, load: () => T): T | undefined => (figures.includes(figure) ? load() : undefined);
  const fig2 = read('fig2', () => readTable(fig2Table, csvPath(dir, fig2Table)));
  const fig4 = read('fig4', () => readTable(fig4Table, csvPath(dir, fig4Table)));
  const fig6 = read('fig6', () => readTable(fig6Table, csvPath(dir, fig6Table)));
  return { ...(fig2 && { fig2 }), ...(fig4 && { fig4 }), ...(fig6 && { fig6 }) };
}

export function readMeasuredRun(path: string): MeasuredRun {
  const dir = measuredDirectory(path);
  const runJson = join(dir, 'run.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(runJson, 'utf8'));
  } catch (error) {
    throw new MeasuredRunError(`${runJson}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = runInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MeasuredRunError(`${runJson}: ${issue.path.map(String).join('.') || 'the file'}: ${issue.message} (expected the run.json of a finished qemu run)`);
  }
  const info = parsed.data;
  if (info.outcome.interrupted) throw new MeasuredRunError(`${runJson}: that qemu run was interrupted; rerun it to completion before validating against it`);
  if (!['fig2', 'fig4', 'fig6'].some((figure) => info.figures.includes(figure))) {
    throw new MeasuredRunError(`${runJson}: the run has none of fig2, fig4, fig6 (it ran ${info.figures.join(', ')})`);
  }
  try {
    return { dir, info, rows: readRunRows(dir, info.figures) };
  } catch (error) {
    throw new MeasuredRunError(error instanceof Error ? error.message : String(error));
  }
}
