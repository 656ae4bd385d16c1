/**
 * The command line: the only module that reads argv, writes to the
 * terminal's error stream for usage errors, or sets the exit code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { execa } from 'execa';
import { DEFAULT_SEED, EXPERIMENTS } from '../experiments/index.ts';
import { atScale, REPETITIONS_AT_SCALE, SCALES, type Scale } from '../experiments/scales.ts';
import { BACKEND_NAMES, type Backend, type BackendName } from './backends/backend.ts';
import { QemuBackend } from './backends/qemu/backend.ts';
import { SIM_PROFILES, SimBackend } from './backends/sim/index.ts';
import { XenBackend } from './backends/xen/index.ts';
import { restrictToSystems, skipLine } from './skip-systems.ts';
import type { FigureId } from './experiment.ts';
import { compareWithPaper } from './report/calibration.ts';
import { reproductionReport, type ReportContext } from './report/markdown.ts';
import { csvPath, readTable } from './results/csv.ts';
import { fig2Table, fig3Table, fig4Table, fig5Table, fig6Table, fig7Table } from './results/tables.ts';
import type { ColumnSpec, Table } from './results/table.ts';
import { predictionSections } from './report/predictions.ts';
import { parseBackend, parseChoice, parseCount, parseFigures, UsageError } from './options.ts';
import { writeRunInfo } from './results/run-info.ts';
import { runExperiments, type PointProgress } from './runner.ts';

/** The machine cannot run the backend (missing package, no root): one line, exit 2. */
class EnvironmentError extends Error {}

const EXIT_FAILURES = 1;
const EXIT_USAGE = 2;
/** The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
const exitCodeOf = (signal: NodeJS.Signals): number => 128 + (osConstants.signals[signal] ?? 0);
/** Cancelling a migration and tearing its testbed down takes under a second here; a run that takes 10 s is torn down by force. */
const INTERRUPT_GRACE_MS = 10_000;
const KNOWN_FIGURES = Object.keys(EXPERIMENTS) as FigureId[];

interface ExperimentOptions {
  testbed?: string;
  accel: string;
  policy?: string;
  timeout?: string;
  profile?: string;
  hostProfile: string;
  measured?: string;
  figure?: string;
  reps?: string;
  scale?: string;
  seed: string;
  out: string;
  backend: string;
  charts: boolean;
}

const DEFAULT_SCALE: Readonly<Record<BackendName, Scale>> = { sim: 'paper', qemu: 'ci', xen: 'paper' };
const BACKEND_FIGURES: Readonly<Record<BackendName, readonly FigureId[]>> = {
  sim: SimBackend.FIGURES,
  qemu: QemuBackend.FIGURES,
  xen: XenBackend.FIGURES,
};
const ACCELS = ['auto', 'kvm', 'tcg'] as const;
const POLICIES = ['xen', 'qemu'] as const;
const DEFAULT_TIMEOUT_S = 900;

/** What the sim backend is built with when its profile is not the paper's. */
interface HostSimulation {
  readonly backend: SimBackend;
  readonly parameters: import('./backends/sim/parameters.ts').SimParameters;
  readonly differences: readonly import('./backends/sim/profiles.ts').DifferenceRow[];
  readonly testbed: import('./calibrate/profile.ts').MeasuredTestbed;
}

/** The host profile's parameters, or a one-line error saying to run npm run calibrate. */
async function loadHostProfile(hostProfilePath: string, policy: (typeof POLICIES)[number], timeoutS: number) {
  const { HostProfileError, readHostProfile } = await import('./calibrate/profile.ts');
  const { differenceRows, hostInputs, hostParameters } = await import('./backends/sim/profiles.ts');
  try {
    const inputs = hostInputs(readHostProfile(hostProfilePath), hostProfilePath, policy, timeoutS);
    return { inputs, parameters: hostParameters(inputs), differences: differenceRows(inputs) };
  } catch (error) {
    if (error instanceof HostProfileError) throw new EnvironmentError(error.message);
    throw error;
  }
}

/** The simulator with the host profile: the measured host, the qemu testbed's policy and timeout. */
async function hostSimulation(hostProfilePath: string, policy: (typeof POLICIES)[number], timeoutS: number): Promise<HostSimulation> {
  const { inputs, parameters, differences } = await loadHostProfile(hostProfilePath, policy, timeoutS);
  const backend = new SimBackend({
    workers: availableParallelism(),
    profile: { name: 'host', parameters, describe: { hostProfile: hostProfilePath, policy, timeoutS, differences } },
  });
  return { backend, parameters, differences, testbed: inputs.testbed };
}

async function createBackend(name: BackendName, options: ExperimentOptions): Promise<Backend> {
  switch (name) {
    case 'sim':
      // The host profile is built by experiment() (its report lists what differs).
      return new SimBackend();
    case 'qemu':
      return qemuBackend(options, policyOf(options), timeoutOf(options));
    case 'xen': {
      if (options.testbed === undefined) throw new UsageError('the xen backend needs --testbed FILE or --testbed local (see docs/xen-testbed.md)');
      if (options.testbed === 'local') return xenLocalBackend();
      try {
        return await XenBackend.create(options.testbed);
      } catch (error) {
        throw new EnvironmentError(error instanceof Error ? error.message : String(error));
      }
    }
  }
}

/** The local nested-Xen testbed: built and booted here, torn down by close() or, on a signal, by its safety net. */
async function xenLocalBackend(): Promise<Backend> {
  const local = await import('./backends/xen/local/index.ts');
  local.installSignalCleanup((signal) => process.exit(exitCodeOf(signal)), INTERRUPT_GRACE_MS);
  try {
    return await local.startLocalTestbed({ log: (line) => console.log(line), signal: new AbortController().signal });
  } catch (error) {
    throw new EnvironmentError(error instanceof Error ? error.message : String(error));
  }
}

async function qemuBackend(options: ExperimentOptions, policy: (typeof POLICIES)[number], timeoutMs: number): Promise<Backend> {
  const accel = parseChoice('--accel', options.accel, ACCELS);
  installQemuCleanup(await import('./backends/qemu/index.ts'));
  try {
    return await QemuBackend.create({ accel, policy, timeoutMs });
  } catch (error) {
    throw new EnvironmentError(error instanceof Error ? error.message : String(error));
  }
}

const policyOf = (options: ExperimentOptions) => parseChoice('--policy', options.policy ?? 'xen', POLICIES);
const timeoutOf = (options: ExperimentOptions) => parseCount('--timeout', options.timeout ?? String(DEFAULT_TIMEOUT_S), 1) * 1000;

/** Where a run's results go: results/<backend>/, or results/sim-<profile>/ for a profile other than the paper's. */
function runName(backendName: BackendName, options: ExperimentOptions): string {
  return backendName === 'sim' && options.profile !== undefined && options.profile !== 'paper' ? `sim-${options.profile}` : backendName;
}

async function experiment(options: ExperimentOptions): Promise<number> {
  if (options.figure !== undefined && /(^|,)\s*validate\s*(,|$)/.test(options.figure)) return validate(options);
  const backendName = parseBackend(options.backend);
  if (options.profile !== undefined && backendName !== 'sim') {
    throw new UsageError(`--profile is a sim option (the ${backendName} backend measures a real testbed)`);
  }
  if (options.measured !== undefined) throw new UsageError('--measured goes with --figure validate');
  const defaultScale = backendName === 'xen' && options.testbed === 'local' ? 'nested' : DEFAULT_SCALE[backendName];
  const scale = parseChoice('--scale', options.scale ?? defaultScale, SCALES);
  const repetitions = options.reps === undefined ? REPETITIONS_AT_SCALE[scale] : parseCount('--reps', options.reps, 1);
  const seed = parseCount('--seed', options.seed, 0);
  const producible = BACKEND_FIGURES[backendName];
  const figures = parseFigures(options.figure ?? producible.join(','), KNOWN_FIGURES);
  const unsupported = figures.filter((figure) => !producible.includes(figure));
  if (unsupported.length > 0) {
    throw new UsageError(`the ${backendName} backend cannot produce figure ${unsupported[0]} (valid: ${producible.join(', ')})`);
  }
  const profile = backendName === 'sim' ? parseChoice('--profile', options.profile ?? 'paper', SIM_PROFILES) : undefined;
  let backend: Backend;
  let appendix: string[] = [];
  if (profile === 'host') {
    const { differencesSection } = await import('./report/validation.ts');
    const policy = policyOf(options);
    const host = await hostSimulation(options.hostProfile, policy, timeoutOf(options) / 1000);
    backend = host.backend;
    appendix = [differencesSection(host.differences, policy)];
  } else {
    backend = await createBackend(backendName, options);
  }
  const name = runName(backendName, options);
  const outcome = await runAndReport(backend, {
    backendName,
    resultsDir: resolve(options.out, 'results', name),
    figuresDir: resolve(options.out, 'figures', name),
    figures,
    scale,
    seed,
    repetitions,
    charts: options.charts,
    ...(profile === undefined ? {} : { profile }),
    appendix,
  });
  return outcome.exitCode;
}

interface RunSpec {
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

interface RunOutcome {
  readonly exitCode: number;
  readonly failures: number;
  readonly interrupted: boolean;
}

/** Runs the figures on the backend, then writes REPORT.md and (unless told not to) the charts and index.html. */
async function runAndReport(backend: Backend, spec: RunSpec): Promise<RunOutcome> {
  const { backendName, resultsDir, figuresDir, figures, scale, seed, repetitions } = spec;
  // A testbed may not offer every figure (Fig. 4 needs the cloud Dom0, Fig. 6 the guest's address).
  const notOffered = figures.filter((figure) => !backend.figures.includes(figure));
  if (notOffered.length > 0) {
    await backend.close();
    throw new UsageError(`this ${backendName} testbed cannot produce figure ${notOffered[0]} (valid: ${backend.figures.join(', ')}; see docs/${backendName}-testbed.md)`);
  }
  // Only now that the run can start: a bad command line leaves no empty result directory behind.
  mkdirSync(resultsDir, { recursive: true });
  const abort = new AbortController();
  let interruptedBy: NodeJS.Signals = 'SIGINT';
  const interrupt = (signal: NodeJS.Signals) => {
    interruptedBy = signal;
    abort.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const base = {
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
    const { experiments, skipped } = restrictToSystems(figures.map((figure) => atScale(EXPERIMENTS[figure], scale)), backend.systems);
    if (skipped.length > 0) console.log(skipLine(skipped, backendName));
    const summary = await runExperiments(
      { experiments, repetitions, seed, resultsDir },
      backend,
      (progress) => console.log(formatProgress(progress)),
      abort.signal,
    );
    const interrupted = abort.signal.aborted;
    writeRunInfo(resultsDir, { ...base, finishedAt: new Date().toISOString(), outcome: { ...summary, interrupted } });
    console.log(`wrote ${summary.migrations} migrations of ${summary.points} points to ${resultsDir}`);
    if (interrupted) {
      console.error('interrupted: the rows written so far are kept; rerun to complete the figures');
      return { exitCode: exitCodeOf(interruptedBy), failures: summary.failures, interrupted };
    }
    const context: ReportContext = { backend: backendName, scale, seed, repetitions, ...(spec.profile === undefined ? {} : { profile: spec.profile }) };
    const report = writeReport(resultsDir, figures, context, spec.appendix ?? []);
    if (spec.charts) {
      const charts = await renderCharts(figures, resultsDir, figuresDir);
      await writeIndex(figuresDir, backendName, spec.profile, report, charts);
      console.log(`wrote ${charts.length} charts (SVG, PNG) and index.html to ${figuresDir}`);
    }
    if (summary.failures > 0) {
      console.error(`${summary.failures} of ${summary.migrations} migrations failed: see the status and error columns`);
      return { exitCode: EXIT_FAILURES, failures: summary.failures, interrupted };
    }
    return { exitCode: 0, failures: 0, interrupted };
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await backend.close();
  }
}

async function renderCharts(figures: readonly FigureId[], resultsDir: string, figuresDir: string): Promise<{ name: string; svg: string }[]> {
  // Charting pulls in vega and resvg; load them only when charts are wanted.
  const { renderFigures } = await import('./render/render.ts');
  return renderFigures(figures, resultsDir, figuresDir);
}

async function writeIndex(figuresDir: string, backendName: BackendName, profile: string | undefined, report: string, charts: readonly { name: string; svg: string }[]): Promise<void> {
  const { reportPage } = await import('./report/page.ts');
  const title = `VMBeam reproduction: ${backendName}${profile !== undefined && profile !== 'paper' ? ` (${profile} profile)` : ''}`;
  mkdirSync(figuresDir, { recursive: true });
  writeFileSync(join(figuresDir, 'index.html'), reportPage(title, report, charts));
}

/** Writes REPORT.md beside the CSVs and returns its text. */
function writeReport(resultsDir: string, figures: readonly FigureId[], context: ReportContext, appendix: readonly string[]): string {
  const comparisons =
    context.scale === 'paper' && (context.profile ?? 'paper') === 'paper' && figures.includes('2') && figures.includes('3')
      ? compareWithPaper(
          readTable(fig2Table, csvPath(resultsDir, fig2Table)),
          readTable(fig3Table, csvPath(resultsDir, fig3Table)),
        )
      : undefined;
  const read = <C extends ColumnSpec>(figure: FigureId, table: Table<C>) =>
    figures.includes(figure) ? readTable(table, csvPath(resultsDir, table)) : undefined;
  const predictions = predictionSections({
    ...optional('fig4', read('4', fig4Table)),
    ...optional('fig5', read('5', fig5Table)),
    ...optional('fig6', read('6', fig6Table)),
    ...optional('fig7', read('7', fig7Table)),
  });
  const report = reproductionReport(context, comparisons, predictions, appendix);
  writeFileSync(join(resultsDir, 'REPORT.md'), report);
  return report;
}

/** `{ [key]: value }` when the value exists, `{}` otherwise (for exact optional properties). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The qemu testbed's figures that validation compares (Fig. 3 adds no migration of its own). */
const VALIDATED_FIGURES: readonly FigureId[] = ['2', '4', '6'];

/**
 * `--figure validate`: the simulator with the host profile against the
 * qemu testbed, on the same points. The measured side is a finished qemu
 * run (`--measured DIR`, e.g. the one CI already ran) or, without it, a
 * qemu run made here (CI scale by default). The predicted side runs the
 * simulator on that run's figures, scale, seed, repetitions, policy and
 * timeout, into results/sim-host/. Writes results/validate.csv,
 * figures/validate.svg/.png, and the validation section of
 * results/sim-host/REPORT.md.
 */
async function validate(options: ExperimentOptions): Promise<number> {
  if (options.figure!.split(',').map((part) => part.trim()).some((part) => part !== 'validate')) {
    throw new UsageError('--figure validate runs on its own (it runs the figures it compares)');
  }
  if (options.backend !== 'sim') throw new UsageError('--figure validate takes no --backend: it runs the sim (host profile) against the qemu testbed');
  if (options.profile !== undefined && options.profile !== 'host') throw new UsageError('--figure validate uses the host profile (--profile host)');
  if (options.testbed !== undefined) throw new UsageError('--testbed is a xen option; --figure validate compares with the qemu testbed');
  const { readMeasuredRun, MeasuredRunError } = await import('./validate/measured.ts');
  const { compareRuns } = await import('./validate/compare.ts');
  const { TableWriter } = await import('./results/csv.ts');
  const { validationTable } = await import('./results/validation.ts');
  const { differencesSection, mapeTable, validationSection } = await import('./report/validation.ts');

  let measuredDir: string;
  let measuredFrom: string;
  let exitCode = 0;
  if (options.measured !== undefined) {
    if (options.reps !== undefined || options.seed !== String(DEFAULT_SEED)) {
      throw new UsageError('with --measured the simulator repeats that run\'s seed and repetitions: drop --reps and --seed');
    }
    measuredDir = resolve(options.measured);
    measuredFrom = `\`${options.measured}\``;
  } else {
    // No measured run given: make one, exactly as `--backend qemu` would.
    const scale = parseChoice('--scale', options.scale ?? 'ci', SCALES);
    const repetitions = options.reps === undefined ? REPETITIONS_AT_SCALE[scale] : parseCount('--reps', options.reps, 1);
    const seed = parseCount('--seed', options.seed, 0);
    const policy = policyOf(options);
    const timeoutMs = timeoutOf(options);
    // Fail on a bad host profile before the migrations, not after.
    await loadHostProfile(options.hostProfile, policy, timeoutMs / 1000);
    const backend = await qemuBackend(options, policy, timeoutMs);
    measuredDir = resolve(options.out, 'results', 'qemu');
    measuredFrom = 'a qemu run made by this command';
    const outcome = await runAndReport(backend, {
      backendName: 'qemu',
      resultsDir: measuredDir,
      figuresDir: resolve(options.out, 'figures', 'qemu'),
      figures: QemuBackend.FIGURES,
      scale,
      seed,
      repetitions,
      charts: options.charts,
    });
    if (outcome.interrupted) return outcome.exitCode;
    exitCode = outcome.exitCode;
  }

  let measured: ReturnType<typeof readMeasuredRun>;
  try {
    measured = readMeasuredRun(measuredDir);
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
  const figures = VALIDATED_FIGURES.filter((figure) => info.figures.includes(`fig${figure}`));
  const predictedDir = resolve(options.out, 'results', 'sim-host');
  const predicted = await runAndReport(host.backend, {
    backendName: 'sim',
    resultsDir: predictedDir,
    figuresDir: resolve(options.out, 'figures', 'sim-host'),
    figures,
    scale: info.scale,
    seed: info.seed,
    repetitions: info.repetitions,
    charts: false,
    profile: 'host',
  });
  if (predicted.interrupted) return predicted.exitCode;
  if (predicted.failures > 0) {
    console.log(`${predicted.failures} predicted migrations failed (see results/sim-host): the model predicts that they do not finish`);
  }

  const { readRunRows } = await import('./validate/measured.ts');
  const rows = compareRuns(readRunRows(predictedDir, figures.map((figure) => `fig${figure}`)), measured.rows);
  const resultsRoot = resolve(options.out, 'results');
  const writer = new TableWriter(validationTable, resultsRoot);
  writer.append(rows);
  const hostProfileLabel = options.hostProfile;
  const section = validationSection(rows, {
    measuredFrom: `${measuredFrom}, run ${info.startedAt}${info.gitRevision === undefined ? '' : ` at ${info.gitRevision.slice(0, 10)}`}`,
    policy: info.backendInfo.policy,
    scale: info.scale,
    hostProfile: hostProfileLabel,
    testbed: host.testbed,
    parameters: host.parameters,
  });
  const differences = differencesSection(host.differences, info.backendInfo.policy);
  const context: ReportContext = { backend: 'sim', scale: info.scale, seed: info.seed, repetitions: info.repetitions, profile: 'host' };
  const report = writeReport(predictedDir, figures, context, [differences, section]);
  console.log(`wrote ${rows.length} comparisons to ${writer.path} and the validation section to ${join(predictedDir, 'REPORT.md')}`);
  if (options.charts) {
    const { validationChart } = await import('./render/validation.ts');
    const { chartToSvg, svgToPng } = await import('./render/write.ts');
    const figuresRoot = resolve(options.out, 'figures');
    mkdirSync(figuresRoot, { recursive: true });
    const svg = await chartToSvg(validationChart(rows));
    writeFileSync(join(figuresRoot, 'validate.svg'), svg);
    writeFileSync(join(figuresRoot, 'validate.png'), svgToPng(svg));
    const charts = await renderCharts(figures, predictedDir, resolve(options.out, 'figures', 'sim-host'));
    await writeIndex(resolve(options.out, 'figures', 'sim-host'), 'sim', 'host', report, [{ name: 'validate', svg }, ...charts]);
    console.log(`wrote ${join(figuresRoot, 'validate.svg')} and validate.png`);
  }
  console.log('mean absolute percentage error, simulator (host profile) vs qemu testbed:');
  console.log(mapeTable(rows));
  return exitCode;
}

interface CalibrateOptions {
  out: string;
  samples: string;
  accel: string;
  timeout: string;
  testbed: boolean;
}

async function calibrate(options: CalibrateOptions): Promise<number> {
  const started = performance.now();
  const out = resolve(options.out);
  const samples = parseCount('--samples', options.samples, 2);
  const accelPreference = parseChoice('--accel', options.accel, ACCELS);
  const timeoutMs = parseCount('--timeout', options.timeout, 1) * 1000;
  const { calibrateHost } = await import('./calibrate/index.ts');
  const { calibrateTestbed } = await import('./calibrate/testbed.ts');
  const { profileSummary } = await import('./calibrate/format.ts');
  const { writeHostProfile } = await import('./calibrate/profile.ts');
  const qemu = await import('./backends/qemu/index.ts');
  let testbed: Parameters<typeof calibrateHost>[0]['testbed'];
  if (!options.testbed) {
    testbed = { skip: 'not measured (--no-testbed)' };
  } else {
    const problem = qemu.checkPrerequisites();
    if (problem !== null) throw new EnvironmentError(`${problem} (or pass --no-testbed to measure only the CPU and memory)`);
    installQemuCleanup(qemu);
    const imageDir = qemu.DEFAULT_IMAGE_DIR;
    try {
      qemu.buildImage(imageDir);
    } catch (error) {
      throw new EnvironmentError(error instanceof Error ? error.message : String(error));
    }
    const { accel } = await qemu.detectAccel(accelPreference, imageDir);
    testbed = {
      run: () =>
        calibrateTestbed({
          accel,
          policy: 'xen',
          samples,
          imageDir,
          timeoutMs,
          onMigration: (label, sample, measured) =>
            console.log(`  ${label} ${sample}/${samples}: resumed after ${measured.resumedAfterS.toFixed(3)} s`),
          onLinkProbe: (transfer, sample) =>
            console.log(
              `  TCP over a ${transfer.rateMbitPerS} Mbit/s link ${sample}/${samples}: ${((transfer.payloadBytes * 8) / transfer.seconds / 1e6).toFixed(1)} Mbit/s of payload`,
            ),
        }),
    };
  }
  const profile = await calibrateHost({
    microTimeMs: 1000,
    opensslRuns: 3,
    opensslSeconds: 1,
    testbed,
    qemuVersion: qemu.qemuVersion(),
    onStep: (message) => console.log(message),
  });
  writeHostProfile(out, profile);
  console.log(profileSummary(profile));
  console.log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/**
 * A testbed must not outlive the harness: on SIGINT/SIGTERM a run cancels its
 * migration and tears it down itself (keeping its rows and recording the
 * interruption in run.json); if it has not within the grace period, or on a
 * second signal, every testbed is torn down here and the process exits.
 * Also removes what dead runs left.
 */
function installQemuCleanup(qemu: typeof import('./backends/qemu/index.ts')): void {
  qemu.installSignalCleanup((signal) => process.exit(exitCodeOf(signal)), INTERRUPT_GRACE_MS);
  qemu.sweepLeftovers();
}

async function fit(): Promise<number> {
  const { calibrationObjective, fitCalibration, FITTED } = await import('./backends/sim/fit.ts');
  const { PAPER_PARAMETERS } = await import('./backends/sim/parameters.ts');
  const { parameters, objective } = fitCalibration(PAPER_PARAMETERS, 0.0005);
  console.log(`objective (sum of squared log errors): committed ${calibrationObjective(PAPER_PARAMETERS).toFixed(5)}, fitted ${objective.toFixed(5)}`);
  for (const [name, constant] of Object.entries(FITTED)) {
    console.log(`${name.padEnd(16)} committed ${constant.get(PAPER_PARAMETERS).toPrecision(4).padStart(10)}  fitted ${constant.get(parameters).toPrecision(4).padStart(10)}`);
  }
  return 0;
}

interface GateOptions {
  results: string;
  baseline?: string;
  only?: string[];
  backend?: string;
  reportDir: string;
}

async function gate(options: GateOptions): Promise<number> {
  const { GATES } = await import('../experiments/gates.ts');
  const { evaluateGate } = await import('./gate/evaluate.ts');
  const { baselineSource, directorySource, InputError } = await import('./gate/sources.ts');
  const { summaryLine, verdictJunit, verdictMarkdown, verdictTable } = await import('./gate/report.ts');
  const { gateInputs } = await import('./gate/inputs.ts');
  let gates = GATES.filter((candidate) => options.backend === undefined || gateInputs(candidate).every((input) => input.backend === options.backend));
  if (options.only !== undefined) {
    const unknown = options.only.filter((name) => !GATES.some((candidate) => candidate.name === name));
    if (unknown.length > 0) throw new UsageError(`unknown gate '${unknown[0]}' (see experiments/gates.ts for the names)`);
    gates = gates.filter((candidate) => options.only!.includes(candidate.name));
  }
  if (gates.length === 0) throw new UsageError(`no gates selected (backends with gates: ${[...new Set(GATES.flatMap((g) => gateInputs(g).map((i) => i.backend)))].join(', ')})`);
  try {
    const current = directorySource(options.results);
    const baseline =
      options.baseline === undefined
        ? undefined
        : await baselineSource(options.baseline, gates.filter((g) => g.kind === 'regression').flatMap(gateInputs));
    const verdicts = gates.map((candidate) => evaluateGate(candidate, current, baseline));
    console.log(verdictTable(verdicts));
    console.log(summaryLine(verdicts));
    mkdirSync(options.reportDir, { recursive: true });
    writeFileSync(join(options.reportDir, 'gate-report.md'), verdictMarkdown(verdicts));
    writeFileSync(join(options.reportDir, 'gate-junit.xml'), verdictJunit(verdicts));
    return verdicts.some((verdict) => verdict.status === 'fail') ? EXIT_FAILURES : 0;
  } catch (error) {
    if (error instanceof InputError) {
      console.error(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function formatProgress(progress: PointProgress): string {
  const failures = progress.failed > 0 ? `, ${progress.failed} failed (${progress.firstError ?? ''})` : '';
  return `${progress.point}: ${progress.ok} ok${failures}, ${progress.elapsedS.toFixed(2)} s`;
}

async function gitRevision(): Promise<string | undefined> {
  const result = await execa('git', ['rev-parse', 'HEAD'], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

function buildProgram(run: (action: Promise<number>) => void): Command {
  const program = new Command('vmbeam-harness')
    .description('Reproduce the VMBeam evaluation on a simulator or a real testbed.')
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  program
    .command('experiment')
    .description('run figures on a backend, write CSVs and charts')
    .option('--figure <list>', `figures to run, comma-separated (${KNOWN_FIGURES.join(', ')}; default: all the backend can produce), or validate (simulator with the host profile vs the qemu testbed)`)
    .option('--reps <n>', `repetitions per point (default: ${REPETITIONS_AT_SCALE.paper} at paper scale, ${REPETITIONS_AT_SCALE.ci} at ci scale)`)
    .option('--scale <name>', `sweep sizes: ${SCALES.join(' or ')} (default: paper on sim, ci on real testbeds)`)
    .option('--seed <n>', 'run seed; each repetition derives its own', String(DEFAULT_SEED))
    .option('--out <dir>', 'write results/<backend>/ and figures/<backend>/ under this directory', '.')
    .addOption(new Option('--backend <name>', `where migrations run (${BACKEND_NAMES.join(', ')})`).default('sim'))
    .option('--no-charts', 'write CSVs only')
    .option('--testbed <file>', 'xen: the testbed description (docs/xen-testbed.md), or local to boot one on this machine')
    .option('--accel <name>', `qemu: accelerator (${ACCELS.join(', ')}); auto tries KVM and falls back to TCG`, 'auto')
    .option('--policy <name>', `qemu and sim --profile host: pre-copy stop rule, ${POLICIES.join(' or ')} (Xen's 29 passes / 3x memory, or QEMU's downtime limit; default xen)`)
    .option('--timeout <s>', `qemu and sim --profile host: seconds one migration may take before it is cancelled (default ${DEFAULT_TIMEOUT_S})`)
    .option('--profile <name>', `sim: ${SIM_PROFILES.join(' or ')} (the paper's testbed, or the qemu testbed on this host from --host-profile; default paper)`)
    .option('--host-profile <file>', 'sim --profile host and --figure validate: the host profile written by npm run calibrate', 'results/host-profile.json')
    .option('--measured <dir>', 'with --figure validate: a finished qemu run (results/qemu, or a results root) to compare with instead of running one')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((options: ExperimentOptions) => run(experiment(options)));
  program
    .command('gate')
    .description('check result CSVs against the gates in experiments/gates.ts')
    .option('--results <dir>', 'results root holding <backend>/<figure>.csv', 'results')
    .option('--baseline <dir|rev>', 'results root or git revision to compare regression gates against')
    .option('--only <names...>', 'evaluate only these gates')
    .option('--backend <name>', 'evaluate only the gates of this backend')
    .option('--report-dir <dir>', 'where gate-report.md and gate-junit.xml go', '.')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((options: GateOptions) => run(gate(options)));
  program
    .command('calibrate')
    .description('measure this host (ciphers, memory copies, the qemu testbed\'s fixed costs) into a host profile')
    .option('--out <file>', 'where the host profile goes', 'results/host-profile.json')
    .option('--samples <n>', 'testbed migrations per measured cost (at least 2)', '3')
    .option('--accel <name>', `qemu: accelerator (${ACCELS.join(', ')})`, 'auto')
    .option('--timeout <s>', 'qemu: seconds one calibration migration may take', '300')
    .option('--no-testbed', 'skip the qemu testbed (no root or packages); the host profile then cannot drive the simulator')
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((options: CalibrateOptions) => run(calibrate(options)));
  program
    .command('fit')
    .description("refit the simulator's calibration constants to the paper's Fig. 2(a) and 3 statements")
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action(() => run(fit()));
  return program;
}

function usageMessage(error: CommanderError, program: Command, argv: readonly string[]): string {
  const command = program.commands.find((candidate) => argv.includes(candidate.name()));
  const valid = (command ?? program).options.map((option) => option.long).filter(Boolean);
  const message = error.message.replace(/^error: /, '').split('\n')[0];
  if (error.code === 'commander.unknownOption' || error.code === 'commander.excessArguments') {
    return `${message} (valid options: ${valid.join(', ')})`;
  }
  if (error.code === 'commander.unknownCommand' || error.code === 'commander.missingArgument') {
    return `${message} (valid commands: ${program.commands.map((c) => c.name()).join(', ')})`;
  }
  return message ?? 'invalid command line';
}

async function main(argv: readonly string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram((action) => {
    pending = action;
  });
  try {
    program.parse(argv, { from: 'user' });
    if (pending === undefined) {
      console.error(`usage: vmbeam-harness <command> [options] (valid commands: ${program.commands.map((c) => c.name()).join(', ')})`);
      return EXIT_USAGE;
    }
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      console.error(`error: ${usageMessage(error, program, argv)}`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof EnvironmentError) {
      console.error(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
