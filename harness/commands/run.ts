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
import { csvRecorders } from '../registry.ts';
import type { ReportContext } from '../report/markdown.ts';
import { writeRunInfo, type RunInfo } from '../results/run-info.ts';
import { runExperiments, type PointProgress } from '../runner.ts';
import { EXIT_FAILURES, EXIT_OK, type CommandContext } from './context.ts';
import { writeCharts, writeIndex, writeReport, type RenderedChart } from './outputs.ts';
import { gitRevision } from './provenance.ts';

export interface RunSpec {
  readonly backendName: BackendName;
  readonly resultsDir: string;
  readonly figuresDir: string;
  readonly figures: readonly FigureId[];
  readonly scale: Scale;
  readonly seed: number;
  readonly repetitions: number;
  readonly charts: boolean;
  readonly profile?: string;
  /** Further report sections (a host profile's differences). */
  readonly appendix?: readonly string[];
}

export interface RunOutcome {
  readonly exitCode: number;
  readonly failures: number;
  readonly interrupted: boolean;
  /** REPORT.md's text, unless the run was interrupted. */
  readonly report?: string;
  readonly charts?: readonly RenderedChart[];
}

/** index.html's title. */
export function pageTitle(backendName: BackendName, profile: string | undefined): string {
  return `VMBeam reproduction: ${backendName}${profile !== undefined && profile !== 'paper' ? ` (${profile} profile)` : ''}`;
}

/** Runs the figures on the backend, then writes REPORT.md and (unless told not to) the charts and index.html. */
export async function runAndReport(backend: Backend, spec: RunSpec, context: CommandContext): Promise<RunOutcome> {
  const { backendName, resultsDir, figuresDir, figures, scale, seed, repetitions } = spec;
  // A testbed may not offer every figure (Fig. 4 needs the cloud Dom0, Fig. 6 the guest's address).
  const notOffered = figures.filter((figure) => !backend.figures.includes(figure));
  if (notOffered.length > 0) {
    await backend.close();
    throw new UsageError(`this ${backendName} testbed cannot produce figure ${notOffered[0]} (valid: ${backend.figures.join(', ')}; see docs/${backendName}-testbed.md)`);
  }
  // Only now that the run can start: a bad command line leaves no empty result directory behind.
  mkdirSync(resultsDir, { recursive: true });
  try {
    return await context.interruptible(async (signal) => {
      const base: RunInfo = {
        backend: backendName,
        figures: figures.map((figure) => `fig${figure}`),
        seed,
        repetitions,
        scale,
        gitRevision: await gitRevision(),
        nodeVersion: process.version,
        startedAt: new Date().toISOString(),
        backendInfo: await backend.describe(),
      };
      writeRunInfo(resultsDir, base);
      const summary = await runExperiments(
        {
          experiments: figures.map((figure) => atScale(EXPERIMENTS[figure], scale)),
          repetitions,
          seed,
          openRecorder: csvRecorders(resultsDir, backendName),
        },
        backend,
        (progress) => console.log(formatProgress(progress)),
        signal,
      );
      const interrupted = signal.aborted;
      writeRunInfo(resultsDir, { ...base, finishedAt: new Date().toISOString(), outcome: { ...summary, interrupted } });
      console.log(`wrote ${summary.migrations} migrations of ${summary.points} points to ${resultsDir}`);
      if (interrupted) {
        console.error('interrupted: the rows written so far are kept; rerun to complete the figures');
        return { exitCode: context.interruptedExitCode(), failures: summary.failures, interrupted };
      }
      const reportContext: ReportContext = { backend: backendName, scale, seed, repetitions, ...(spec.profile === undefined ? {} : { profile: spec.profile }) };
      const report = writeReport(resultsDir, figures, reportContext, spec.appendix ?? []);
      let charts: RenderedChart[] = [];
      if (spec.charts) {
        charts = await writeCharts(figures, resultsDir, figuresDir);
        await writeIndex(figuresDir, pageTitle(backendName, spec.profile), report, charts);
        console.log(`wrote ${charts.length} charts (SVG, PNG) and index.html to ${figuresDir}`);
      }
      if (summary.failures > 0) {
        console.error(`${summary.failures} of ${summary.migrations} migrations failed: see the status and error columns`);
        return { exitCode: EXIT_FAILURES, failures: summary.failures, interrupted, report, charts };
      }
      return { exitCode: EXIT_OK, failures: 0, interrupted, report, charts };
    });
  } finally {
    await backend.close();
  }
}

function formatProgress(progress: PointProgress): string {
  const failures = progress.failed > 0 ? `, ${progress.failed} failed (${progress.firstError ?? ''})` : '';
  return `${progress.point}: ${progress.ok} ok${failures}, ${progress.elapsedS.toFixed(2)} s`;
}
