/**
 * The `qemu` backend: each migration of a sweep runs on a fresh testbed on
 * this machine (engine.ts), one at a time so that migrations do not share
 * the two cores they are measured on. Each guest size is booted once and
 * every migration restores its saved state (guest-state.ts).
 */
import { availableParallelism } from 'node:os';
import type { FigureId, MigrationPoint } from '../../experiment.ts';
import { PAGE_BYTES } from '../../units.ts';
import type { Backend, MigrationContext, MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { detectAccel, type AccelPreference } from './accel.ts';
import { migrateOnce } from './engine.ts';
import { GuestStateStore } from './guest-state.ts';
import { buildImage, DEFAULT_IMAGE_DIR } from './image.ts';
import { LINK_PROFILES } from './link-profiles.ts';
import { checkPrerequisites } from './prereq.ts';
import type { Accel, MigrationPolicy, QemuMigrationMeasurement } from './types.ts';
import { guestKernelName, qemuVersion } from './version.ts';
import { LOAD_FRACTION, PROBE_SECONDS, STEP } from './web/capacity.ts';
import { CLIENT_NICE } from './web/httperf.ts';
import { AFTER_S, BEFORE_S, REQUEST_TIMEOUT_S, WARM_UP_S, measureServiceOnce, type QemuServiceMeasurement } from './web/service.ts';
import { carrierOf } from '../../systems.ts';
import { DIRTY_RATE_SPAN_MS } from './auto.ts';
import { AFTER_S as GUEST_AFTER_S, BEFORE_S as GUEST_BEFORE_S } from './guest-writes.ts';
import { PROBE_SEND_MS, PROBE_WARM_UP_MS } from './link-probe.ts';
import { SCHEME_SETTINGS } from './schemes.ts';

export interface QemuOptions {
  readonly accel: AccelPreference;
  readonly policy: MigrationPolicy;
  /** Per migration, from `migrate` to completion. */
  readonly timeoutMs: number;
  readonly imageDir?: string;
}

export class QemuBackend implements Backend {
  static readonly FIGURES = ['2', '3', '4', '6', '7', 'alternatives'] as const satisfies readonly FigureId[];
  readonly name = 'qemu' as const;
  readonly concurrency = 1;
  readonly figures = QemuBackend.FIGURES;

  private constructor(
    private readonly options: QemuOptions & { readonly imageDir: string },
    private readonly accel: Accel,
    private readonly accelReason: string,
    private readonly states: GuestStateStore,
  ) {}

  /** Checks root and packages, builds the guest image and picks the accelerator; throws one line if it cannot. */
  static async create(options: QemuOptions): Promise<QemuBackend> {
    const problem = checkPrerequisites();
    if (problem !== null) throw new Error(problem);
    const imageDir = options.imageDir ?? DEFAULT_IMAGE_DIR;
    const image = buildImage(imageDir);
    const choice = await detectAccel(options.accel, imageDir);
    return new QemuBackend({ ...options, imageDir }, choice.accel, choice.reason, new GuestStateStore(image));
  }

  async describe(): Promise<Record<string, unknown>> {
    return {
      qemuVersion: qemuVersion(),
      guestKernel: guestKernelName(),
      accel: this.accel,
      accelReason: this.accelReason,
      accelRequested: this.options.accel,
      policy: this.options.policy,
      timeoutMs: this.options.timeoutMs,
      links: LINK_PROFILES,
      // The alternatives experiment's schemes (schemes.ts), auto's probes (auto.ts) and the guest's write windows (guest-writes.ts).
      schemes: SCHEME_SETTINGS,
      auto: { linkProbeSendMs: PROBE_SEND_MS, linkProbeWarmUpMs: PROBE_WARM_UP_MS, dirtyRate: `the guest's write reports over its last ${DIRTY_RATE_SPAN_MS} ms` },
      guestWrites: { reportEveryMs: 100, beforeS: GUEST_BEFORE_S, afterS: GUEST_AFTER_S, clock: 'host arrival of each report' },
      // Fig. 7's method; the capacity it measured is in fig7.csv (capacity_rps), per run.
      web: {
        client: `httperf (nice ${CLIENT_NICE}, line-buffered per-call output)`,
        loadFraction: LOAD_FRACTION,
        capacityProbeS: PROBE_SECONDS,
        capacityStep: STEP,
        beforeS: BEFORE_S,
        afterS: AFTER_S,
        warmUpS: WARM_UP_S,
        requestTimeoutS: REQUEST_TIMEOUT_S,
      },
    };
  }

  /**
   * Boots and saves every guest size of the sweep before anything is
   * measured, as many at once as there are cores. A size that fails here is
   * booted again, and its error reported, by each migration that needs it.
   */
  async prepare(points: readonly MigrationPoint[], signal: AbortSignal): Promise<void> {
    // Fig. 7 boots its own guest, with a NIC (web/service.ts); saved guests serve `migrate` only.
    const sizes = [...new Set(points.filter((point) => point.figure !== '7').map((point) => point.memoryMb))];
    const workers = Array.from({ length: Math.min(sizes.length, availableParallelism()) }, async () => {
      for (let size = sizes.shift(); size !== undefined && !signal.aborted; size = sizes.shift()) {
        await this.states.state(this.accel, size, signal).catch(() => undefined);
      }
    });
    await Promise.all(workers);
  }

  async migrate(point: MigrationPoint, context: MigrationContext): Promise<MigrationMeasurement> {
    const measured = await migrateOnce({
      system: point.system,
      memoryMb: point.memoryMb,
      dirtyRegionMb: point.dirtyPagesPerS > 0 ? point.dirtyRegionMb : 0,
      dirtyPagesPerS: point.dirtyPagesPerS,
      policy: this.options.policy,
      accel: this.accel,
      timeoutMs: this.options.timeoutMs,
      ...(point.giveUpAfterS === undefined ? {} : { giveUpAfterS: point.giveUpAfterS }),
      imageDir: this.options.imageDir,
      signal: context.signal,
    }, {}, this.states);
    return toMeasurement(point, measured);
  }

  async measureService(point: MigrationPoint, context: MigrationContext): Promise<ServiceMeasurement> {
    const measured = await measureServiceOnce({
      system: point.system,
      memoryMb: point.memoryMb,
      policy: this.options.policy,
      accel: this.accel,
      timeoutMs: this.options.timeoutMs,
      imageDir: this.options.imageDir,
      signal: context.signal,
    });
    return toServiceMeasurement(measured);
  }

  async close(): Promise<void> {
    await this.states.dispose();
  }
}

/**
 * Migration time and downtime as the paper means them: until the guest runs
 * at the destination (its RESUME event), and from its STOP at the source to
 * that RESUME. QEMU's own total-time and downtime end when the source has
 * written its last byte, before the destination has read it.
 */
export function toMeasurement(point: MigrationPoint, measured: QemuMigrationMeasurement): MigrationMeasurement {
  const zeroCopy = LINK_PROFILES[carrierOf(measured.scheme)].zeroCopy;
  const decision = measured.autoDecision;
  return {
    ...(measured.guestWrites === undefined ? {} : { guestWrites: measured.guestWrites }),
    ...(point.system === 'auto' && decision !== undefined ? { chosen: { system: decision.system, reason: decision.reason } } : {}),
    migrationTimeS: measured.endedAfterS,
    downtimeS: measured.guestDowntimeS ?? measured.downtimeS,
    networkBytes: measured.networkBytes,
    transferDurationS: measured.endedAfterS,
    iterations: measured.iterations,
    pagesSent: measured.pagesSent,
    bandwidthSeries: measured.bandwidthSeries.map((sample) => ({ tS: sample.tS, value: sample.mbps })),
    cpuTimeS: measured.cpuTimeS,
    cpuSeries: measured.cpuSeries.map((sample) => ({ tS: sample.tS, value: sample.utilizationPct })),
    transferredBytes: zeroCopy
      ? measured.guestMemoryMb * 1024 * 1024
      : measured.pagesSent === undefined
        ? undefined
        : measured.pagesSent * PAGE_BYTES,
    memoryAccessBytes: undefined,
  };
}

/** The runner's view of one Fig. 7 run. */
export function toServiceMeasurement(measured: QemuServiceMeasurement): ServiceMeasurement {
  return {
    normalRps: measured.normalRps,
    migrationRps: measured.migrationRps,
    degradationPct: measured.degradationPct,
    series: measured.series,
    offeredRps: measured.offeredRps,
    capacityRps: measured.capacity.capacityRps,
    failedRequests: measured.failedRequests,
    errors: measured.failuresTotal,
    timeouts: measured.httperf.errors.clientTimeouts,
  };
}
