/** `npm run experiment`: run figures on a backend, write CSVs, REPORT.md and charts. */
import { resolve } from 'node:path';
import { REPETITIONS_AT_SCALE } from '../../experiments/scales.ts';
import type { Backend, BackendName } from '../backends/backend.ts';
import { QemuBackend } from '../backends/qemu/backend.ts';
import { SimBackend, type SimProfileName } from '../backends/sim/backend.ts';
import { XenBackend } from '../backends/xen/backend.ts';
import type { FigureId, Scale } from '../experiment.ts';
import { UsageError } from '../options.ts';
import { DEFAULT_TIMEOUT_S, qemuBackend, xenBackend, xenTestbed, type AccelPreference, type Policy } from './backends.ts';
import type { CommandContext } from './context.ts';
import { hostSimulation } from './host.ts';
import { checkOut, prepareResultsDir } from './results-dir.ts';
import { runAndReport } from './run.ts';
import type { Shard } from '../shard.ts';
import type { SystemName } from '../systems.ts';

export interface ExperimentOptions {
  readonly backend: BackendName;
  readonly figure?: readonly FigureId[];
  /** Only these systems; the default is every system the backend runs. */
  readonly systems?: readonly SystemName[];
  readonly reps?: number;
  readonly scale?: Scale;
  readonly seed: number;
  readonly out: string;
  readonly charts: boolean;
  readonly testbed?: string;
  readonly accel: AccelPreference;
  readonly policy?: Policy;
  readonly timeout?: number;
  readonly profile?: SimProfileName;
  readonly hostProfile: string;
  /** Keep the rows already in the results directory and run only what they lack. */
  readonly resume?: boolean;
  /** Remove the rows already in the results directory first. */
  readonly force?: boolean;
  readonly shard?: Shard;
  /** The options the command line gave explicitly (`--accel`, …): those that do not apply to the backend are refused. */
  readonly given?: readonly string[];
}

/** Where each backend-specific option applies, and what to say when it does not. */
const APPLIES: Readonly<Record<string, { readonly to: (backend: BackendName, profile: string | undefined) => boolean; readonly where: string }>> = {
  '--testbed': { to: (backend) => backend === 'xen', where: 'is a xen option' },
  '--accel': { to: (backend) => backend === 'qemu', where: 'is a qemu option' },
  '--policy': { to: (backend, profile) => backend === 'qemu' || profile === 'host', where: 'applies to qemu and sim --profile host' },
  '--timeout': { to: (backend, profile) => backend === 'qemu' || profile === 'host', where: 'applies to qemu and sim --profile host' },
  '--host-profile': { to: (_backend, profile) => profile === 'host', where: 'goes with --profile host' },
};

const DEFAULT_SCALE: Readonly<Record<BackendName, Scale>> = { sim: 'paper', qemu: 'ci', xen: 'paper' };

/** The figures each backend can produce at all (a testbed may offer fewer). */
export const BACKEND_FIGURES: Readonly<Record<BackendName, readonly FigureId[]>> = {
  sim: SimBackend.FIGURES,
  qemu: QemuBackend.FIGURES,
  xen: XenBackend.FIGURES,
};

export async function experiment(options: ExperimentOptions, context: CommandContext): Promise<number> {
  const backendName = options.backend;
  if (options.profile !== undefined && backendName !== 'sim') {
    throw new UsageError(`--profile is a sim option (the ${backendName} backend measures a real testbed)`);
  }
  const scale = options.scale ?? (backendName === 'xen' && options.testbed === 'local' ? 'nested' : DEFAULT_SCALE[backendName]);
  const repetitions = options.reps ?? REPETITIONS_AT_SCALE[scale];
  const producible = BACKEND_FIGURES[backendName];
  const figures = options.figure ?? producible;
  const unsupported = figures.filter((figure) => !producible.includes(figure));
  if (unsupported.length > 0) {
    throw new UsageError(`the ${backendName} backend cannot produce figure ${unsupported[0]} (valid: ${producible.join(', ')})`);
  }
  const profile = backendName === 'sim' ? (options.profile ?? 'paper') : undefined;
  for (const option of options.given ?? []) {
    const rule = APPLIES[option];
    if (rule !== undefined && !rule.to(backendName, profile)) {
      throw new UsageError(`${option} ${rule.where}: the ${backendName}${profile === undefined ? '' : ` (${profile} profile)`} run would ignore it`);
    }
  }
  // results/<backend>/, or results/sim-<profile>/ for a profile other than the paper's.
  const name = profile !== undefined && profile !== 'paper' ? `sim-${profile}` : backendName;
  const out = checkOut(options.out);
  const resultsDir = resolve(out, 'results', name);
  const policy = options.policy ?? 'xen';
  const timeoutS = options.timeout ?? DEFAULT_TIMEOUT_S;
  // The host profile and the xen testbed file first (cheap, changing nothing): their errors are the ones to fix.
  const xen = backendName === 'xen' ? xenTestbed(options.testbed) : undefined;
  const host = profile === 'host' ? await hostSimulation(options.hostProfile, policy, timeoutS) : undefined;
  // Before any testbed starts: a run that would truncate rows stops here, not after the testbed's checks.
  const prior = prepareResultsDir(resultsDir, options.force === true ? 'force' : options.resume === true ? 'resume' : 'refuse', {
    backend: backendName,
    seed: options.seed,
    scale,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  let backend: Backend;
  let appendix: string[] = [];
  if (host !== undefined) {
    const { differencesSection } = await import('../report/validation.ts');
    backend = host.backend;
    appendix = [differencesSection(host.differences, policy)];
  } else if (backendName === 'qemu') {
    backend = await qemuBackend({ accel: options.accel, policy, timeoutMs: timeoutS * 1000 }, context);
  } else if (xen !== undefined) {
    backend = await xenBackend(xen, context);
  } else {
    backend = new SimBackend();
  }
  const outcome = await runAndReport(
    backend,
    {
      backendName,
      resultsDir,
      figuresDir: resolve(out, 'figures', name),
      figures,
      scale,
      seed: options.seed,
      repetitions,
      charts: options.charts,
      ...(options.systems === undefined ? {} : { systems: options.systems }),
      ...(profile === undefined ? {} : { profile }),
      appendix,
      prior,
      ...(options.shard === undefined ? {} : { shard: { shard: options.shard, universe: producible } }),
    },
    context,
  );
  return outcome.exitCode;
}
