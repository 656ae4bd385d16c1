/**
 * `npm run report`: REPORT.md, the charts and index.html rebuilt from the
 * CSVs and run.json of a results directory, without running anything.
 */
import { basename, resolve } from 'node:path';
import type { FigureId } from '../experiment.ts';
import { figureName } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { FIGURE_IDS } from '../registry.ts';
import { readRunInfo, RUN_INFO_FILE, RunInfoError, runInfoSchema, type RunInfo } from '../results/run-info.ts';
import { figuresHeld } from '../run-state.ts';
import { EXIT_OK } from './context.ts';
import { pageTitle, writeOutputs } from './outputs.ts';
import { checkOut } from './results-dir.ts';

export interface ReportOptions {
  readonly results: string;
  /** Where the charts go; default figures/<name> beside the results root. */
  readonly figures?: string;
  readonly charts: boolean;
}

/** A results directory's run.json, or a one-line error naming what is wrong with it. */
export function readRunOf(resultsDir: string): RunInfo {
  try {
    return readRunInfo(resolve(resultsDir, RUN_INFO_FILE), runInfoSchema, 'the run.json npm run experiment writes');
  } catch (error) {
    if (error instanceof RunInfoError || (error instanceof Error && 'code' in error && error.code === 'ENOENT')) {
      throw new UsageError(`${resultsDir} holds no usable run.json (${error.message.split('\n')[0]}): pass a results directory such as results/sim`);
    }
    throw error;
  }
}

/** The profile a sim run used, if not the paper's. */
export function profileOf(info: RunInfo): string | undefined {
  const profile = info.backendInfo['profile'];
  return typeof profile === 'string' && profile !== 'paper' ? profile : undefined;
}

/** The figures run.json names that have their CSVs in the directory, in the paper's order. */
export function figuresOf(info: RunInfo, resultsDir: string): FigureId[] {
  const held = figuresHeld(resultsDir);
  return FIGURE_IDS.filter((figure) => info.figures.includes(figureName(figure)) && held.includes(figure));
}

export async function report(options: ReportOptions): Promise<number> {
  const resultsDir = resolve(options.results);
  const info = readRunOf(resultsDir);
  const profile = profileOf(info);
  if (profile === 'host') {
    throw new UsageError(`${resultsDir} holds the host profile's predictions, whose report sections come from the host profile and the measured run: rerun npm run validate`);
  }
  if (info.shard !== undefined) {
    throw new UsageError(`${resultsDir} is shard ${info.shard.index}/${info.shard.count} of a run: merge the shards first (npm run merge -- DIR... --out DIR)`);
  }
  const figures = figuresOf(info, resultsDir);
  if (figures.length === 0) throw new UsageError(`${resultsDir} holds none of the CSVs its run.json names (${info.figures.join(', ')})`);
  const figuresDir = checkOut(options.figures ?? resolve(resultsDir, '..', '..', 'figures', basename(resultsDir)), '--figures');
  await writeOutputs(resultsDir, figuresDir, {
    figures,
    context: { backend: info.backend, scale: info.scale, seed: info.seed, repetitions: info.repetitions, ...(profile === undefined ? {} : { profile }) },
    title: pageTitle(info.backend, profile),
    charts: options.charts,
  });
  console.log(`wrote ${resolve(resultsDir, 'REPORT.md')} from ${figures.map((figure) => figureName(figure)).join(', ')}`);
  return EXIT_OK;
}
