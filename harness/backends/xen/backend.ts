/**
 * The `xen` backend: runs the paper's migrations on a real nested-Xen
 * testbed (docs/xen-testbed.md) by driving `xl migrate` on the source guest
 * Dom0 over SSH, and measures them from xl's own output, the source's
 * interface counters, the cloud Dom0's xentop and, where the guest is
 * reachable, a heartbeat from inside the guest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, MigrationContext, MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import type { FigureId, MigrationPoint } from '../../experiment.ts';
import type { CpuSource } from './cpu.ts';
import { ensureGuest, removeFromDestination, check, waitForSsh, type GuestHosts } from './guest.ts';
import { clearLogCommand, extraArgument, waitReadyCommand } from './kernel-workload.ts';
import { buildMeasurement } from './measure.ts';
import { parseMigrationLog, type MigrationLog } from './parse.ts';
import { Remote, describeFailure, type RemoteResult, type RunningCommand } from './remote.ts';
import { readCounters, sampleCounters, sampleXentop, heartbeatTimes, XENTOP_DELAY_S, type Sampler } from './samplers.ts';
import { loadTestbed, type SystemSetup, type Testbed } from './testbed.ts';
import type { SystemName } from '../../systems.ts';
import { dirtyCommand, fillCommand, HEARTBEAT_PREFIX } from './workload.ts';
import type { XentopFrame } from './xentop.ts';
import type { TimedLine } from './lines.ts';

export interface XenOptions {
  /** A migration still running after this long is killed (Xen-Nest took ~6 min for 4 GB in the paper). */
  readonly migrationTimeoutS: number;
  /** Limit for short commands: xl list/create/destroy, ssh checks, counter reads. */
  readonly commandTimeoutS: number;
  /** How long a freshly created guest may take to answer ssh. */
  readonly bootTimeoutS: number;
  /** Interval of the interface-counter loop; 1 s gives the paper's Fig. 3 resolution. */
  readonly sampleIntervalS: number;
  /** If set, every migration's xl output is written here as it was received (for test fixtures). */
  readonly transcriptDir?: string | undefined;
}

/** What a testbed that the harness runs itself (local/) adds to the file's description. */
export interface TestbedExtras {
  /** CPU of the cloud VMs, read where the cloud Dom0's role is played (instead of xentop). */
  readonly cpu?: CpuSource;
  /** Facts for run.json beside the backend's own. */
  readonly describe?: () => Record<string, unknown>;
  /** Tears the testbed down; called by close(). */
  readonly close?: () => Promise<void>;
}

export const DEFAULT_XEN_OPTIONS: XenOptions = {
  migrationTimeoutS: 1_800,
  commandTimeoutS: 120,
  bootTimeoutS: 300,
  sampleIntervalS: 1,
};

/** GNU timeout's exit status when it had to stop the command. */
const TIMEOUT_EXIT = 124;
/** Memory the guest's own kernel and programs keep; the rest is filled before migrating. */
const GUEST_RESERVE_MB = 64;
/** Grace after the remote `timeout` for ssh itself to give up. */
const LOCAL_GRACE_MS = 30_000;

export class XenBackend implements Backend {
  // 'xen' joins BACKEND_NAMES in backend.ts with the CLI wiring; until then
  // the name is cast so this file compiles against the current union.
  readonly name = 'xen' as const;
  /**
   * Figures a nested-Xen testbed can produce: 2 and 3 always, 4 with a cloud
   * Dom0 to run xentop on, 6 with a guest address for the dirtying workload.
   * Fig. 5 is an estimate only the simulator makes; Fig. 7 is not built yet.
   */
  static readonly FIGURES = ['2', '3', '4', '6'] as const satisfies readonly FigureId[];
  readonly figures: readonly FigureId[];
  /** One guest, one pair of cloud VMs: migrations cannot overlap without disturbing each other. */
  readonly concurrency = 1;
  private readonly source: Remote;
  private readonly destination: Remote;
  private readonly cloudDom0: Remote | undefined;
  private readonly guest: Remote | undefined;
  private closed = false;

  private constructor(
    readonly testbed: Testbed,
    private readonly options: XenOptions,
    private readonly extras: TestbedExtras = {},
  ) {
    const remote = (host: string) => new Remote(host, testbed.sshOptions);
    this.source = remote(testbed.source.host);
    this.destination = remote(testbed.destination.host);
    this.cloudDom0 = testbed.cloudDom0 === undefined ? undefined : remote(testbed.cloudDom0.host);
    this.guest = testbed.guest.address === undefined ? undefined : remote(testbed.guest.address);
    const measuresCpu = this.cloudDom0 !== undefined || extras.cpu !== undefined;
    const runsWorkload = this.guest !== undefined || testbed.guest.kernelWorkload !== undefined;
    this.figures = XenBackend.FIGURES.filter((figure) => (figure !== '4' || measuresCpu) && (figure !== '6' || runsWorkload));
  }

  /** The paper's systems this testbed runs; the runner skips the others. */
  get systems(): readonly SystemName[] {
    return [...this.testbed.systems.keys()];
  }

  /** Loads the testbed file and checks every host answers ssh before anything runs. */
  static async create(testbedPath: string, options: Partial<XenOptions> = {}): Promise<XenBackend> {
    return XenBackend.fromTestbed(loadTestbed(testbedPath), options);
  }

  /** A testbed already parsed (the local testbed builds its description and parses it like a file). */
  static async fromTestbed(testbed: Testbed, options: Partial<XenOptions> = {}, extras: TestbedExtras = {}): Promise<XenBackend> {
    const backend = new XenBackend(testbed, { ...DEFAULT_XEN_OPTIONS, ...options }, extras);
    await backend.checkReachable();
    return backend;
  }

  private async checkReachable(): Promise<void> {
    const signal = new AbortController().signal;
    const timeoutMs = this.options.commandTimeoutS * 1000;
    const hosts: [string, Remote][] = [
      ['source.host', this.source],
      ['destination.host', this.destination],
      ...(this.cloudDom0 === undefined ? [] : [['cloudDom0.host', this.cloudDom0] as [string, Remote]]),
    ];
    const results = await Promise.all(hosts.map(async ([field, remote]) => [field, await remote.run(['true'], { timeoutMs, signal })] as const));
    for (const [field, result] of results) {
      const failure = describeFailure(result);
      if (failure !== undefined) throw new Error(`${failure} (testbed ${field}; check the host name and that its ssh key is installed)`);
    }
    // xl migrate on the source opens its own ssh to the destination, with the
    // source's keys, not ours: check that path too, non-interactively.
    // Systems with their own -s command do not use ssh for the stream.
    const hops = new Set(
      [...this.testbed.systems.values()].filter((system) => system.sshCommand === undefined).map((system) => this.destinationOf(system)),
    );
    for (const destination of hops) {
      const hop = await this.source.run(['ssh', '-o', 'BatchMode=yes', destination, 'true'], { timeoutMs, signal });
      const hopFailure = describeFailure(hop);
      if (hopFailure !== undefined) {
        throw new Error(`${this.source.host} cannot ssh to ${destination} without a password, which xl migrate needs (${hopFailure})`);
      }
    }
  }

  private destinationOf(system: SystemSetup): string {
    return system.destination ?? this.testbed.destination.host;
  }

  async describe(): Promise<Record<string, unknown>> {
    const signal = new AbortController().signal;
    const info = await this.source.run(['xl', 'info'], { timeoutMs: this.options.commandTimeoutS * 1000, signal });
    const fields = Object.fromEntries(
      info.lines
        .map((line) => /^(\w+)\s*:\s*(.*)$/.exec(line.text))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1]!, match[2]!.trim()]),
    );
    const pick = (key: string): string | undefined => (typeof fields[key] === 'string' ? fields[key] : undefined);
    const xenVersion =
      pick('xen_major') === undefined ? undefined : `${pick('xen_major')}.${pick('xen_minor') ?? '?'}${pick('xen_extra') ?? ''}`;
    return {
      source: this.testbed.source.host,
      destination: this.testbed.destination.host,
      cloudDom0: this.testbed.cloudDom0?.host,
      guest: { name: this.testbed.guest.name, config: this.testbed.guest.config, address: this.testbed.guest.address },
      interface: this.testbed.interface,
      systems: Object.fromEntries(this.testbed.systems),
      xlVerbosity: this.testbed.xlVerbosity,
      sourceXenVersion: xenVersion,
      sourceDom0Kernel: pick('release'),
      downtimeMethod: this.guest === undefined ? 'xl log: suspend to target startup report (approximation)' : 'guest heartbeat gap',
      cpuLoad:
        this.extras.cpu?.description ??
        (this.cloudDom0 === undefined ? 'not measured (no cloudDom0)' : `xentop -b -d ${XENTOP_DELAY_S} on the cloud Dom0`),
      options: this.options,
      ...this.extras.describe?.(),
    };
  }

  async migrate(point: MigrationPoint, context: MigrationContext): Promise<MigrationMeasurement> {
    const system = this.testbed.systems.get(point.system);
    if (system === undefined) {
      throw new Error(
        `system ${point.system} is not configured in the testbed file's "systems" (this testbed runs: ${[...this.testbed.systems.keys()].join(', ')})`,
      );
    }
    const kernelWorkload = this.testbed.guest.kernelWorkload;
    if (point.dirtyPagesPerS > 0 && this.guest === undefined && kernelWorkload === undefined) {
      throw new Error(
        `fig ${point.figure} dirties ${point.dirtyPagesPerS} pages/s inside the guest, which needs guest.address in the testbed file (an address the harness can ssh to)`,
      );
    }
    const timeoutMs = this.options.commandTimeoutS * 1000;
    const hosts: GuestHosts = { source: this.source, destination: this.destination, timeoutMs, signal: context.signal };
    const guestPlan = { name: this.testbed.guest.name, config: this.testbed.guest.config, memoryMb: point.memoryMb };
    if (kernelWorkload !== undefined) {
      check(await this.source.run(clearLogCommand(kernelWorkload), { timeoutMs, signal: context.signal }));
      const workloadPlan = {
        fillMb: point.memoryMb - GUEST_RESERVE_MB - point.dirtyRegionMb,
        dirtyMb: point.dirtyPagesPerS > 0 ? point.dirtyRegionMb : 0,
        dirtyPagesPerS: point.dirtyPagesPerS,
      };
      await ensureGuest({ ...guestPlan, createArgs: [extraArgument(kernelWorkload, workloadPlan)], fresh: true }, hosts);
      const ready = await this.source.run(waitReadyCommand(kernelWorkload, this.options.bootTimeoutS), {
        timeoutMs: (this.options.bootTimeoutS + 30) * 1000,
        signal: context.signal,
      });
      if (ready.exitCode !== 0) {
        const said = ready.lines.at(-1)?.text;
        throw new Error(
          `the guest did not print its ready line in ${kernelWorkload.consoleLog} within ${this.options.bootTimeoutS} s of being created${said === undefined ? '' : ` (${said})`}`,
        );
      }
    }
    const { created } = kernelWorkload === undefined ? await ensureGuest(guestPlan, hosts) : { created: false };
    if (this.guest !== undefined) {
      if (created) await waitForSsh(this.guest, this.options.bootTimeoutS * 1000, context.signal);
      const fillMb = point.memoryMb - GUEST_RESERVE_MB;
      if (fillMb > 0) check(await this.guest.run(fillCommand(fillMb), { timeoutMs, signal: context.signal }));
    }

    const migrationMs = this.options.migrationTimeoutS * 1000;
    const longMs = migrationMs + LOCAL_GRACE_MS + timeoutMs;
    const workload: RunningCommand | undefined = this.guest?.start(
      dirtyCommand(point.dirtyRegionMb, point.dirtyPagesPerS, longMs / 1000),
      { timeoutMs: longMs, signal: context.signal },
    );
    let counterLoop: Sampler<unknown> | undefined;
    let xentop: Sampler<XentopFrame[]> | undefined;
    let cpu: ReturnType<CpuSource['start']> | undefined;
    const iface = system.interface ?? this.testbed.interface;
    try {
      const before = await readCounters(this.source, iface, timeoutMs, context.signal);
      const loop = sampleCounters(this.source, iface, this.options.sampleIntervalS, longMs, context.signal);
      counterLoop = loop;
      xentop = this.cloudDom0 === undefined || this.extras.cpu !== undefined ? undefined : sampleXentop(this.cloudDom0, longMs, context.signal);
      cpu = this.extras.cpu?.start(context.signal);

      const startMs = performance.now();
      const result = await this.source.run(this.migrateCommand(system), {
        timeoutMs: migrationMs + LOCAL_GRACE_MS,
        signal: context.signal,
      });
      const log = parseMigrationLog(result.lines);
      if (this.options.transcriptDir !== undefined) writeTranscript(this.options.transcriptDir, point, result.lines);
      const frames = await xentop?.stop();
      xentop = undefined;
      const cpuReadings = await cpu?.stop();
      cpu = undefined;
      const loopSamples = await loop.stop();
      counterLoop = undefined;
      const heartbeats = workload === undefined ? undefined : heartbeatTimes((await workload.stop()).lines, HEARTBEAT_PREFIX);
      const succeeded = this.outcome(log, result);
      const after = await readCounters(this.source, iface, timeoutMs, context.signal);

      // The next repetition starts from the guest running on the source only;
      // a failure here is not swallowed: ensureGuest retries it and reports.
      await removeFromDestination(this.testbed.guest.name, hosts).catch(() => undefined);

      return buildMeasurement({
        log: succeeded,
        startMs,
        counters: [before, ...loopSamples, after],
        xentop:
          frames === undefined ? undefined : { frames, delayS: XENTOP_DELAY_S, domains: this.testbed.cloudDom0?.domains },
        cpuReadings,
        heartbeatsMs: heartbeats,
      });
    } finally {
      await Promise.all([xentop?.stop(), counterLoop?.stop(), workload?.stop(), cpu?.stop()]);
    }
  }

  /**
   * `timeout` on the source bounds xl there: killing only our local ssh
   * would leave xl migrating on the source, with no terminal to hang up.
   */
  private migrateCommand(system: SystemSetup): string[] {
    const timeoutS = String(this.options.migrationTimeoutS);
    const command = system.sshCommand ?? (system.sshCipher === undefined ? undefined : `ssh -c ${system.sshCipher}`);
    const ssh = command === undefined ? [] : ['-s', command];
    const verbosity = this.testbed.xlVerbosity;
    return ['timeout', '--kill-after=10', timeoutS, 'xl', verbosity, 'migrate', ...ssh, this.testbed.guest.name, this.destinationOf(system)];
  }

  /** The successful log, or an Error saying why the migration failed. */
  private outcome(log: MigrationLog, result: RemoteResult): Extract<MigrationLog, { status: 'succeeded' }> {
    const last = result.lines.at(-1)?.text;
    const lastText = last === undefined ? 'no output' : `last line: '${last}'`;
    if (result.timedOut || result.exitCode === TIMEOUT_EXIT) {
      throw new Error(
        `xl migrate did not finish within ${this.options.migrationTimeoutS} s and was killed (${lastText}); check xl list on both guest Dom0s`,
      );
    }
    if (result.spawnError !== undefined) throw new Error(`cannot run ssh: ${result.spawnError}`);
    switch (log.status) {
      case 'failed':
        throw new Error(`xl migrate failed: ${log.failure}`);
      case 'incomplete':
        if (log.recognised === 0) {
          throw new Error(
            `xl migrate printed nothing recognisable as xl output (exit ${result.exitCode ?? 'by signal'}, ${lastText}); check that xl on ${this.source.host} is Xen's toolstack`,
          );
        }
        throw new Error(`xl migrate ended (exit ${result.exitCode ?? 'by signal'}) without 'Migration successful.' (${lastText})`);
      case 'succeeded':
        if (result.exitCode !== 0) throw new Error(`xl migrate reported success but exited ${result.exitCode ?? 'by signal'}`);
        return log;
    }
  }

  async measureService(point: MigrationPoint): Promise<ServiceMeasurement> {
    throw new Error(
      `fig ${point.figure} (web service during migration) is not supported on the xen backend yet: run it on the sim backend`,
    );
  }

  /** Nothing stays open between migrations; the guest is left running on the source (or the local testbed goes away). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.extras.close?.();
  }
}

/** One file per migration: the lines as xl printed them, in arrival order. */
function writeTranscript(dir: string, point: MigrationPoint, lines: readonly TimedLine[]): void {
  mkdirSync(dir, { recursive: true });
  const name = `${point.system}-${point.memoryMb}mb-${point.dirtyPagesPerS}pps-${Date.now()}.txt`;
  writeFileSync(join(dir, name), lines.map((line) => `${line.text}\n`).join(''));
}
