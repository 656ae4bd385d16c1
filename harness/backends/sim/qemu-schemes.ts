/**
 * QEMU 7.2's own migration schemes over a paper system's path (the
 * alternatives experiment, docs/model.md §11): its pre-copy with the
 * downtime-limit rule and no caps, and on top of it auto-converge, XBZRLE,
 * multifd and post-copy, each as a hook into the same loop. Pure:
 * deterministic in the seed.
 */
import type { MigrationPoint } from '../../experiment.ts';
import { ALTERNATIVE_SYSTEMS, carrierOf } from '../../systems.ts';
import type { MigrationMeasurement } from '../backend.ts';
import { accessPerByte, COPY_PATHS } from './copy-paths.ts';
import { initialThrottle, throttleAfterSync, throttledWritePagesPerS, type ThrottleState } from './auto-converge.ts';
import { streamBytesPerS } from './derived.ts';
import { guestWrites, stoppedOnlyForDowntime, writesUntil, type RateStep } from './guest-writes.ts';
import { multifdPath } from './multifd.ts';
import type { PrecopyPolicy, SimParameters } from './parameter-types.ts';
import {
  addFixedCpu,
  completedMeasurement,
  didNotConverge,
  runPathMigration,
  type PathMigration,
  type PathRun,
  type PrecopySystem,
  type SchemeHooks,
} from './path-migration.ts';
import { postcopyPhase } from './postcopy.ts';
import type { PrecopyHandover } from './precopy.ts';
import { xbzrleSender } from './xbzrle.ts';

export type QemuScheme = Exclude<(typeof ALTERNATIVE_SYSTEMS)[number], 'auto'>;

/**
 * QEMU's own loop (migration.c migration_iteration_run, ram.c): every page
 * dirty at a sync is sent in the next pass (no peek), and the only way out
 * is the downtime-limit rule; no pass or byte cap. The batch is only the
 * grain of the simulated stream.
 */
export function qemuPolicy(batchPages: number, timeoutS: number | undefined): PrecopyPolicy {
  return {
    maxIterations: Number.POSITIVE_INFINITY,
    minRemainingPages: 0,
    maxSentFactor: Number.POSITIVE_INFINITY,
    sentFactorCounts: 'stream-bytes',
    batchPages,
    skipRedirtied: false,
    ...(timeoutS === undefined ? {} : { timeoutS }),
  };
}

export function simulateQemuScheme(scheme: QemuScheme, point: MigrationPoint, seed: number, parameters: SimParameters): MigrationMeasurement {
  if (point.giveUpAfterS === undefined && parameters.policy.timeoutS === undefined) {
    throw new Error(`${scheme}: QEMU's pre-copy never stops by itself while the guest out-dirties the link; give the point a giveUpAfterS`);
  }
  const carrier = carrierOf(point.system) as PrecopySystem;
  const path = parameters.precopyPaths[carrier];
  const q = parameters.qemuSchemes;
  const base: PathMigration = {
    point,
    seed,
    parameters,
    carrier,
    policy: qemuPolicy(parameters.policy.batchPages, parameters.policy.timeoutS),
    streamBytesPerS: streamBytesPerS(path.stages, parameters),
    pageHeaderBytes: q.pageHeaderBytes,
    batchHeaderBytes: q.batchHeaderBytes,
    inFlightBytesAtStop: path.inFlightBytesAtStop,
    // QEMU sends its RAM blocks, nothing beyond the guest's pages.
    p2mFrames: (point.memoryMb * 1024 * 1024) / parameters.pageBytes,
    downtimeLimitS: q.downtimeLimitS,
  };
  switch (scheme) {
    case 'precopy-qemu':
      return precopyLike(base);
    case 'multifd':
      return precopyLike({ ...base, ...multifdPath(path.stages, path.inFlightBytesAtStop, parameters) });
    case 'xbzrle':
      return precopyLike({ ...base, hooks: xbzrleHooks(parameters) });
    case 'auto-converge':
      return autoConverge(base);
    case 'postcopy':
      return postcopy(base);
  }
}

/** A completed pre-copy's measurement, and when its guest stopped. */
function completed(run: PathRun, migration: PathMigration): { readonly measurement: MigrationMeasurement; readonly stopS: number } {
  if (run.outcome.kind !== 'completed') throw new Error('pre-copy handed over without post-copy');
  const finalPass = run.outcome.passes[run.outcome.passes.length - 1]!;
  return { measurement: completedMeasurement(run, run.outcome, migration, migration.parameters.qemuSchemes.initialBitmapSyncs), stopS: finalPass.startS };
}

/** The guest runs untouched until the stop-and-copy. */
function untouchedGuest(measurement: MigrationMeasurement, pagesPerS: number): MigrationMeasurement {
  return pagesPerS > 0 ? { ...measurement, guestWrites: stoppedOnlyForDowntime(pagesPerS, measurement.migrationTimeS, measurement.downtimeS ?? 0) } : measurement;
}

function precopyLike(migration: PathMigration): MigrationMeasurement {
  return untouchedGuest(completed(runPathMigration(migration), migration).measurement, migration.point.dirtyPagesPerS);
}

/** XBZRLE: re-sent pages found in the cache go out as deltas of the workload's counter word. */
function xbzrleHooks(parameters: SimParameters): SchemeHooks {
  const q = parameters.qemuSchemes;
  return ({ log, region }) => {
    const sender = xbzrleSender({
      parameters: q.xbzrle,
      pageBytes: parameters.pageBytes,
      pageHeaderBytes: q.pageHeaderBytes,
      write: parameters.workloadWrite,
      frameOf: (index) => region[index]!,
      counterAt: (tS) => log.writesBy(tS),
      syncsBeforePass1: q.initialBitmapSyncs,
    });
    return { onSync: () => sender.synced(), resentPageBytes: sender.pageBytes };
  };
}

/** Auto-converge: the throttle steps at the syncs, and the guest writes (and dirties) less. */
function autoConverge(base: PathMigration): MigrationMeasurement {
  const { parameters, point } = base;
  const q = parameters.qemuSchemes;
  const rate = point.dirtyPagesPerS;
  const steps: RateStep[] = [{ fromS: 0, pagesPerS: rate }];
  let state: ThrottleState = initialThrottle(parameters.precopySetupS);
  const migration: PathMigration = {
    ...base,
    giveUpNote: () => `the guest throttled to ${state.pct} %`,
    hooks: ({ log }) => ({
      onSync: (sync) => {
        const before = state.pct;
        state = throttleAfterSync(state, sync, q.autoConverge, parameters.pageBytes);
        if (state.pct === before) return;
        const pagesPerS = throttledWritePagesPerS(rate, state.pct, q.autoConverge.guestWriteVcpuShare);
        log.setRate(sync.tS, pagesPerS);
        steps.push({ fromS: sync.tS, pagesPerS });
      },
    }),
  };
  const { measurement, stopS } = completed(runPathMigration(migration), migration);
  if (rate <= 0) return measurement;
  return { ...measurement, guestWrites: guestWrites(rate, writesUntil(steps, stopS), measurement.migrationTimeS) };
}

/** Post-copy: one pass, then the switch, then the stale pages pushed while the guest faults on them. */
function postcopy(base: PathMigration): MigrationMeasurement {
  const { parameters, point } = base;
  const migration: PathMigration = { ...base, handoverAfterPasses: parameters.qemuSchemes.postcopy.livePassesBeforeSwitch };
  const run = runPathMigration(migration);
  // Everything fit the downtime limit after the first pass: QEMU completes as pre-copy.
  if (run.outcome.kind === 'completed') return untouchedGuest(completed(run, migration).measurement, point.dirtyPagesPerS);
  return afterSwitch(run, run.outcome, migration);
}

function afterSwitch(run: PathRun, handover: PrecopyHandover, migration: PathMigration): MigrationMeasurement {
  const { parameters, point } = migration;
  const q = parameters.qemuSchemes;
  const path = parameters.precopyPaths[migration.carrier];
  const bytesPerS = migration.streamBytesPerS;
  const pageBytesOnWire = parameters.pageBytes + q.pageHeaderBytes;
  const frames = Int32Array.from(handover.dirtyIndices, (index) => run.region[index]!);
  const phase = postcopyPhase({
    dirtyFrames: frames,
    regionPages: run.region.length,
    writePagesPerS: point.dirtyPagesPerS,
    streamBytesPerS: bytesPerS,
    pageBytesOnWire,
    inFlightBytesAtStop: migration.inFlightBytesAtStop,
    finalStageS: path.finalStageS,
    parameters: q.postcopy,
  });
  const switchS = handover.switchS;
  const resumeS = switchS + phase.downtimeS;
  const endS = resumeS + phase.pushS;
  const giveUpS = point.giveUpAfterS;
  if (giveUpS !== undefined && endS > giveUpS) {
    throw didNotConverge(giveUpS, `post-copy would have fetched its last page at ${endS.toFixed(0)} s`);
  }
  const afterQueueS = switchS + migration.inFlightBytesAtStop / bytesPerS;
  const stateS = run.link.stream(afterQueueS, phase.discardBytes, bytesPerS);
  run.link.stream(stateS, parameters.finalStateBytes, bytesPerS);
  const pushBytes = frames.length * pageBytesOnWire;
  run.link.add(resumeS, endS, pushBytes);
  run.cpu.add(resumeS, endS, pushBytes * run.cpuPerStreamByte);
  addFixedCpu(run, parameters, switchS, switchS, resumeS);
  // The guest runs on at the destination while its pages arrive.
  if (parameters.runningGuestCpuSPerS > 0) run.cpu.add(resumeS, endS, (endS - resumeS) * parameters.runningGuestCpuSPerS);
  const pagesSent = handover.pagesSent + frames.length + parameters.nonGuestRamPages;
  const rate = point.dirtyPagesPerS;
  const measurement: MigrationMeasurement = {
    migrationTimeS: endS,
    downtimeS: phase.downtimeS,
    // QEMU's syncs: at setup, after each live pass, and the one postcopy_start makes for the discards.
    iterations: q.initialBitmapSyncs + handover.passes.length + 1,
    pagesSent,
    transferredBytes: pagesSent * parameters.pageBytes,
    memoryAccessBytes: (handover.pagesSent + frames.length) * parameters.pageBytes * accessPerByte(COPY_PATHS[migration.carrier]),
    ...run.link.summary(),
    ...run.cpu.summary(),
  };
  return rate > 0 ? { ...measurement, guestWrites: guestWrites(rate, rate * switchS + phase.guestWrites, endS) } : measurement;
}
