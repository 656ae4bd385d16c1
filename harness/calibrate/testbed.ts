/**
 * The fixed costs of the real testbed, measured once through the qemu
 * engine (migrateOnce) with tinybench driving the repetitions: a zero-copy
 * migration of an idle 128 MB guest (device state and the non-shared RAM
 * blocks only), and a pre-copy of the same guest through the SSH tunnel on
 * an unshaped link (the pipeline as fast as this host lets it run, and what
 * the guest's memory holds: data pages and zero pages). Every migration
 * also reports how long its source QEMU took to answer QMP and to boot.
 * Then each shaped link rate of the testbed, with a bulk TCP transfer.
 */
import { Bench, type Task } from 'tinybench';
import { migrateOnce, type LiveMigration } from '../backends/qemu/engine.ts';
import { parseReadyLine } from '../backends/qemu/image.ts';
import { clockTicksPerSecond, readProcessTicks } from '../backends/qemu/sampler.ts';
import { guestKernelName } from '../backends/qemu/version.ts';
import { pause } from '../backends/qemu/wait.ts';
import type { Accel, MigrationPolicy, QemuMigrationMeasurement, QemuMigrationRequest } from '../backends/qemu/types.ts';
import { testbedLinkRates, transferOverLink, type LinkTransfer } from './links.ts';
import type { LinkMeasurement, MeasuredTestbed } from './profile.ts';
import { sampleStatistics, secondsFromLatency } from './stats.ts';

export const CALIBRATION_GUEST_MB = 128;
/** Each link probe lasts about this long at its rate. */
const LINK_PROBE_S = 3;
/** How long the migrated, idle guest's CPU is watched; /proc counts 10 ms ticks, so shorter would be mostly rounding. */
const RUNNING_GUEST_S = 2;

export interface TestbedCalibrationOptions {
  readonly accel: Accel;
  readonly policy: MigrationPolicy;
  /** Migrations per measurement (at least 2, for a confidence interval). */
  readonly samples: number;
  readonly imageDir: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** After each migration: which, and how long the guest took to resume at the destination. */
  readonly onMigration?: (label: string, sample: number, measured: QemuMigrationMeasurement) => void;
  /** After each link probe. */
  readonly onLinkProbe?: (transfer: LinkTransfer, sample: number) => void;
}

/**
 * `samples` bulk TCP transfers over a link shaped at each of the testbed's
 * rates: payload rate and interface bytes per payload byte.
 */
export async function calibrateLinks(options: Pick<TestbedCalibrationOptions, 'samples' | 'timeoutMs' | 'onLinkProbe'>): Promise<LinkMeasurement[]> {
  const measurements: LinkMeasurement[] = [];
  for (const rateMbitPerS of testbedLinkRates()) {
    const transfers: LinkTransfer[] = [];
    for (let sample = 1; sample <= options.samples; sample++) {
      const transfer = await transferOverLink(rateMbitPerS, Math.round(((rateMbitPerS * 1e6) / 8) * LINK_PROBE_S), options.timeoutMs);
      transfers.push(transfer);
      options.onLinkProbe?.(transfer, sample);
    }
    measurements.push({
      rateMbitPerS,
      payloadBytesPerS: sampleStatistics(transfers.map((t) => t.payloadBytes / t.seconds), 'B/s'),
      txPerPayloadByte: sampleStatistics(transfers.map((t) => t.txBytes / t.payloadBytes), 'B/B'),
      rxPerPayloadByte: sampleStatistics(transfers.map((t) => t.rxBytes / t.payloadBytes), 'B/B'),
    });
  }
  return measurements;
}

interface RamCounters {
  transferred?: number;
  normal?: number;
  duplicate?: number;
}

/** What one calibration migration reports beside QMP's measurement. */
interface Observed {
  readonly measured: QemuMigrationMeasurement;
  readonly qmpReadyS: number;
  readonly bootS: number;
  readonly readyLine: string;
  readonly ram: RamCounters;
  /** CPU-s per s of the destination QEMU running the migrated guest (when asked for). */
  readonly runningGuestCpuPerS: number | undefined;
}

async function observe(request: QemuMigrationRequest, watchRunningGuest: boolean): Promise<Observed> {
  let context: LiveMigration | undefined;
  let ram: RamCounters = {};
  let runningGuestCpuPerS: number | undefined;
  const measured = await migrateOnce(request, {
    afterCompletion: async (completed) => {
      context = completed;
      const info = await completed.source.qmp.execute<{ ram?: RamCounters }>('query-migrate');
      ram = info.ram ?? {};
      if (watchRunningGuest) runningGuestCpuPerS = await cpuPerSecond(completed.destination.process.pid, RUNNING_GUEST_S);
    },
  });
  if (context === undefined) throw new Error('internal error: the engine did not report its context');
  return { measured, qmpReadyS: context.qmpReadyS, bootS: context.bootTimeS, readyLine: context.readyLine, ram, runningGuestCpuPerS };
}

/** A process's CPU time (all its threads) over `seconds` of wall time, per second. */
async function cpuPerSecond(pid: number, seconds: number): Promise<number | undefined> {
  const startTicks = readProcessTicks(pid);
  const startMs = performance.now();
  await pause(seconds * 1000);
  const endTicks = readProcessTicks(pid);
  if (startTicks === undefined || endTicks === undefined) return undefined;
  return (endTicks - startTicks) / clockTicksPerSecond() / ((performance.now() - startMs) / 1000);
}

function required(value: number | undefined, what: string): number {
  if (value === undefined || !Number.isFinite(value)) throw new Error(`the testbed did not report ${what}`);
  return value;
}

function completedLatency(task: Task) {
  const result = task.result;
  if (result.state === 'errored') throw new Error(`${task.name}: ${result.error.message}`);
  if (result.state !== 'completed') throw new Error(`${task.name} did not complete (${result.state})`);
  return result.latency;
}

/**
 * Runs `samples` zero-copy and `samples` unshaped pre-copy migrations of an
 * idle 128 MB guest. tinybench times each as the guest sees it (migrate
 * until the destination's RESUME); the other figures come from QMP, the
 * link counters and the guest's ready line of the same migrations.
 */
export async function calibrateTestbed(options: TestbedCalibrationOptions): Promise<MeasuredTestbed> {
  if (!Number.isInteger(options.samples) || options.samples < 2) throw new Error('the testbed needs at least 2 samples per measurement');
  const base = {
    memoryMb: CALIBRATION_GUEST_MB,
    dirtyRegionMb: 0,
    dirtyPagesPerS: 0,
    policy: options.policy,
    accel: options.accel,
    timeoutMs: options.timeoutMs,
    imageDir: options.imageDir,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  } as const;
  const zeroCopy: Observed[] = [];
  const precopy: Observed[] = [];
  const run = (label: string, into: Observed[], request: QemuMigrationRequest) => async () => {
    // The zero-copy runs leave a guest running at the destination, idle and filled like the testbed's: watch its CPU.
    const observed = await observe(request, request.system === 'vmbeam');
    into.push(observed);
    options.onMigration?.(label, into.length, observed.measured);
    return { overriddenDuration: observed.measured.resumedAfterS * 1000 };
  };
  const zeroCopyLabel = `zero-copy, idle ${CALIBRATION_GUEST_MB} MB guest`;
  const precopyLabel = `pre-copy through SSH on an unshaped link, idle ${CALIBRATION_GUEST_MB} MB guest`;
  // Each sample is a whole migration (seconds under TCG): no warm-up, no time budget, exactly `samples` runs.
  const bench = new Bench({ iterations: options.samples, time: 0, warmup: false, throws: true });
  bench
    .add(zeroCopyLabel, run(zeroCopyLabel, zeroCopy, { ...base, system: 'vmbeam' }))
    .add(precopyLabel, run(precopyLabel, precopy, { ...base, system: 'xen-nest', unshapedLink: true }));
  await bench.run();
  const links = await calibrateLinks(options);
  const [zeroCopyTask, precopyTask] = bench.tasks;
  if (zeroCopy.length !== options.samples || precopy.length !== options.samples) {
    throw new Error(`internal error: ${zeroCopy.length} and ${precopy.length} migrations for ${options.samples} samples each`);
  }

  const all = [...zeroCopy, ...precopy];
  const guestKernel = guestKernelName();
  const stat = <U extends string>(runs: readonly Observed[], unit: U, pick: (run: Observed) => number | undefined, what: string) =>
    sampleStatistics(runs.map((run) => required(pick(run), what)), unit);
  const guest = (pick: (ready: NonNullable<ReturnType<typeof parseReadyLine>>) => number, what: string) =>
    stat(precopy, 'MB', (run) => {
      const ready = parseReadyLine(run.readyLine);
      return ready === undefined ? undefined : pick(ready);
    }, `the guest's ${what}`);
  return {
    status: 'measured',
    accel: options.accel,
    policy: options.policy,
    ...(guestKernel === undefined ? {} : { guestKernel }),
    qmpReadyS: stat(all, 's', (run) => run.qmpReadyS, 'QMP readiness'),
    bootS: stat(all, 's', (run) => run.bootS, 'boot time'),
    zeroCopy: {
      system: 'vmbeam',
      memoryMb: CALIBRATION_GUEST_MB,
      migrationS: secondsFromLatency(completedLatency(zeroCopyTask!)),
      downtimeS: stat(zeroCopy, 's', (run) => run.measured.guestDowntimeS, 'the guest downtime (STOP/RESUME events)'),
      networkBytes: stat(zeroCopy, 'B', (run) => run.measured.networkBytes, 'link bytes'),
      pagesSent: stat(zeroCopy, 'pages', (run) => run.measured.pagesSent, 'pages sent (ram.normal + ram.duplicate)'),
      cpuS: stat(zeroCopy, 's', (run) => run.measured.cpuTimeS, 'CPU time'),
    },
    precopyUnshaped: {
      system: 'xen-nest',
      transport: 'ssh',
      memoryMb: CALIBRATION_GUEST_MB,
      migrationS: secondsFromLatency(completedLatency(precopyTask!)),
      downtimeS: stat(precopy, 's', (run) => run.measured.guestDowntimeS, 'the guest downtime (STOP/RESUME events)'),
      networkBytes: stat(precopy, 'B', (run) => run.measured.networkBytes, 'link bytes'),
      streamBytes: stat(precopy, 'B', (run) => run.ram.transferred, 'ram.transferred'),
      normalPages: stat(precopy, 'pages', (run) => run.ram.normal, 'ram.normal'),
      zeroPages: stat(precopy, 'pages', (run) => run.ram.duplicate, 'ram.duplicate'),
      cpuS: stat(precopy, 's', (run) => run.measured.cpuTimeS, 'CPU time'),
      guest: {
        totalMb: guest((ready) => ready.totalMb, 'MemTotal'),
        availableMb: guest((ready) => ready.availableMb, 'MemAvailable'),
        filledMb: guest((ready) => ready.filledMb, 'filled memory'),
      },
    },
    runningGuestCpuPerS: stat(zeroCopy, 's/s', (run) => run.runningGuestCpuPerS, "the running guest's CPU"),
    links,
  };
}
