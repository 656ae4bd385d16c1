/**
 * `npm run validate`: the simulator with the host profile against the qemu
 * testbed, on the same points. The measured side is a finished qemu run
 * (`--measured DIR`, e.g. the one CI already ran) or, without it, a qemu run
 * made here (CI scale by default). The predicted side runs the simulator on
 * that run's figures, scale, seed, repetitions, policy and timeout, into
 * results/sim-host/. Writes results/validate.csv, figures/validate.svg/.png,
 * and the validation section of results/sim-host/REPORT.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPETITIONS_AT_SCALE } from '../../experiments/scales.ts';
import { QemuBackend } from '../backends/qemu/backend.ts';
import type { FigureId, Scale } from '../experiment.ts';
import { figureName } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { FIGURE_IDS, readMeasuredRows, VALIDATED_FIGURES } from '../registry.ts';
import type { ReportContext } from '../report/markdown.ts';
import type { RunInfo } from '../results/run-info.ts';
import { DEFAULT_TIMEOUT_S, qemuBackend, type AccelPreference, type Policy } from './backends.ts';
import { EnvironmentError, type CommandContext } from './context.ts';
import { hostSimulation, loadHostProfile } from './host.ts';
import { pageTitle, writeCharts, writeIndex, writeReport } from './outputs.ts';
import { checkOut, prepareResultsDir } from './results-dir.ts';
import { runAndReport } from './run.ts';

export interface ValidateOptions {
  readonly measured?: string;
  readonly hostProfile: string;
  readonly reps?: number;
  readonly scale?: Scale;
  readonly seed: number;
  readonly out: string;
  readonly charts: boolean;
  readonly accel: AccelPreference;
  readonly policy?: Policy;
  readonly timeout?: number;
  /** Without --measured: replace rows the qemu run's directory already holds. */
  readonly force?: boolean;
}

const figureIds = (names: readonly string[]): FigureId[] => FIGURE_IDS.filter((figure) => names.includes(figureName(figure)));

export async function validate(options: ValidateOptions, context: CommandContext): Promise<number> {
  const { readMeasuredRun, MeasuredRunError } = await import('../validate/measured.ts');
  const { compareRuns } = await import('../validate/compare.ts');
  const { TableWriter } = await import('../results/csv.ts');
  const { validationTable } = await import('../results/validation.ts');
  const { differencesSection, mapeTable, validationSection } = await import('../report/validation.ts');

  const out = checkOut(options.out);
  let measuredDir: string;
  let measuredFrom: string;
  let exitCode = 0;
  if (options.measured !== undefined) {
    measuredDir = resolve(options.measured);
    measuredFrom = `\`${options.measured}\``;
  } else {
    // No measured run given: make one, exactly as `--backend qemu` would.
    const scale = options.scale ?? 'ci';
    const policy = options.policy ?? 'xen';
    const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
    measuredDir = resolve(out, 'results', 'qemu');
    const prior = prepareResultsDir(measuredDir, options.force === true ? 'force' : 'refuse', { backend: 'qemu', seed: options.seed, scale });
    // Fail on a bad host profile before the migrations, not after.
    await loadHostProfile(options.hostProfile, policy, timeoutMs / 1000);
    const backend = await qemuBackend({ accel: options.accel, policy, timeoutMs }, context);
    measuredFrom = 'a qemu run made by this command';
    const outcome = await runAndReport(
      backend,
      {
        backendName: 'qemu',
        resultsDir: measuredDir,
        figuresDir: resolve(out, 'figures', 'qemu'),
        figures: QemuBackend.FIGURES,
        scale,
        seed: options.seed,
        repetitions: options.reps ?? REPETITIONS_AT_SCALE[scale],
        charts: options.charts,
        prior,
      },
      context,
    );
    if (outcome.interrupted) return outcome.exitCode;
    exitCode = outcome.exitCode;
  }

  let measured: ReturnType<typeof readMeasuredRun>;
  try {
    measured = readMeasuredRun(
      measuredDir,
      VALIDATED_FIGURES.map((figure) => figureName(figure)),
      (dir, names) => readMeasuredRows(dir, figureIds(names)),
    );
  } catch (error) {
    if (error instanceof MeasuredRunError) throw new EnvironmentError(error.message);
    throw error;
  }
  const { info } = measured;
  if (options.policy !== undefined && options.policy !== info.backendInfo.policy) {
    throw new UsageError(`--policy ${options.policy} disagrees with the measured run's policy ${info.backendInfo.policy} (${measured.dir}/run.json); drop --policy`);
  }
  if (options.measured !== undefined && options.scale !== undefined && options.scale !== info.scale) {
    throw new UsageError(`--scale ${options.scale} disagrees with the measured run's scale ${info.scale}; drop --scale`);
  }
  const host = await hostSimulation(options.hostProfile, info.backendInfo.policy, info.backendInfo.timeoutMs / 1000);
  // The profile has been read and checked by now: comparing it with the run cannot fail.
  await warnOnOtherTestbed(options.hostProfile, options.measured ?? measuredDir, info);
  const figures = VALIDATED_FIGURES.filter((figure) => info.figures.includes(figureName(figure)));
  const predictedDir = resolve(out, 'results', 'sim-host');
  const predictedFiguresDir = resolve(out, 'figures', 'sim-host');
  // The predictions are derived from the measured run: each validation writes them afresh.
  const prior = prepareResultsDir(predictedDir, 'replace', { backend: 'sim', seed: info.seed, scale: info.scale });
  const predicted = await runAndReport(
    host.backend,
    {
      backendName: 'sim',
      resultsDir: predictedDir,
      figuresDir: predictedFiguresDir,
      figures,
      scale: info.scale,
      seed: info.seed,
      repetitions: info.repetitions,
      charts: false,
      profile: 'host',
      prior,
    },
    context,
  );
  if (predicted.interrupted) return predicted.exitCode;
  if (predicted.failures > 0) {
    console.log(`${predicted.failures} predicted migrations failed (see results/sim-host): the model predicts that they do not finish`);
  }

  const rows = compareRuns(readMeasuredRows(predictedDir, figures), measured.rows);
  const writer = new TableWriter(validationTable, resolve(out, 'results'), 'replace');
  writer.append(rows);
  const section = validationSection(rows, {
    measuredFrom: `${measuredFrom}, run ${info.startedAt}${info.gitRevision === undefined ? '' : ` at ${info.gitRevision.slice(0, 10)}`}`,
    policy: info.backendInfo.policy,
    scale: info.scale,
    hostProfile: options.hostProfile,
    testbed: host.testbed,
    parameters: host.parameters,
  });
  const differences = differencesSection(host.differences, info.backendInfo.policy);
  const reportContext: ReportContext = { backend: 'sim', scale: info.scale, seed: info.seed, repetitions: info.repetitions, profile: 'host' };
  const report = writeReport(predictedDir, figures, reportContext, [differences, section]);
  console.log(`wrote ${rows.length} comparisons to ${writer.path} and the validation section to ${join(predictedDir, 'REPORT.md')}`);
  if (options.charts) {
    const { validationChart } = await import('../render/validation.ts');
    const { chartToSvg, svgToPng } = await import('../render/write.ts');
    const figuresRoot = resolve(out, 'figures');
    mkdirSync(figuresRoot, { recursive: true });
    const svg = await chartToSvg(validationChart(rows));
    writeFileSync(join(figuresRoot, 'validate.svg'), svg);
    writeFileSync(join(figuresRoot, 'validate.png'), svgToPng(svg));
    const charts = await writeCharts(figures, predictedDir, predictedFiguresDir);
    await writeIndex(predictedFiguresDir, pageTitle('sim', 'host'), report, [{ name: 'validate', svg, files: '../validate' }, ...charts], predictedDir);
    console.log(`wrote ${join(figuresRoot, 'validate.svg')} and validate.png`);
  }
  console.log('mean absolute percentage error, simulator (host profile) vs qemu testbed:');
  console.log(mapeTable(rows));
  return exitCode;
}

/** One line on stderr when the measured run's accelerator, QEMU, host CPU, cores or kernel are not the host profile's. */
async function warnOnOtherTestbed(hostProfilePath: string, measuredDir: string, info: RunInfo): Promise<void> {
  const { readHostProfile } = await import('../calibrate/profile.ts');
  const { provenanceDifferences, provenanceWarning } = await import('../validate/provenance.ts');
  const warning = provenanceWarning(hostProfilePath, measuredDir, provenanceDifferences(readHostProfile(hostProfilePath), info));
  if (warning !== undefined) console.error(warning);
}
