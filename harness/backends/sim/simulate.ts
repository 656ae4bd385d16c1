import type { MigrationPoint } from '../../experiment.ts';
import { isPaperSystem } from '../../systems.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { simulateAuto } from './auto.ts';
import { streamBytesPerS } from './derived.ts';
import { stoppedOnlyForDowntime } from './guest-writes.ts';
import { p2mFrames } from './p2m.ts';
import { PAPER_PARAMETERS } from './parameters.ts';
import type { SimParameters } from './parameter-types.ts';
import { completedMeasurement, runPathMigration, type PathMigration, type PrecopySystem } from './path-migration.ts';
import { simulateQemuScheme } from './qemu-schemes.ts';
import { CpuRecorder, LinkRecorder } from './recorders.ts';
import { planWebService, webServiceTimeline, withStreamRate } from './web.ts';
import { simulateZeroCopy } from './zerocopy.ts';

/** One migration of one point, deterministic in its seed. */
export function simulateMigration(
  point: MigrationPoint,
  seed: number,
  parameters: SimParameters = PAPER_PARAMETERS,
): MigrationMeasurement {
  const system = point.system;
  if (system === 'auto') return simulateAuto(point, seed, parameters, simulateMigration);
  if (!isPaperSystem(system)) return simulateQemuScheme(system, point, seed, parameters);
  const measurement = system === 'vmbeam' ? simulateVmbeam(point, parameters) : simulateXenPrecopy(system, point, seed, parameters);
  // What the guest's workload felt: it runs at its rate until it stops for the downtime.
  return point.dirtyPagesPerS > 0
    ? { ...measurement, guestWrites: stoppedOnlyForDowntime(point.dirtyPagesPerS, measurement.migrationTimeS, measurement.downtimeS ?? 0) }
    : measurement;
}

/** Zero-copy (brief §2): the dirty rate does not enter. */
function simulateVmbeam(point: MigrationPoint, parameters: SimParameters): MigrationMeasurement {
  const guestPages = (point.memoryMb * 1024 * 1024) / parameters.pageBytes;
  const cpu = new CpuRecorder();
  // Only the control records cross the network (paper: xl's, through Xen-Nest's path).
  const { zeroCopy } = parameters;
  const link = new LinkRecorder(zeroCopy.controlWireBytesPerStreamByte);
  const controlBytesPerS = streamBytesPerS(zeroCopy.controlStages, parameters);
  const result = simulateZeroCopy({ guestPages, ...zeroCopy });
  link.stream(0, parameters.setupRecordBytes, controlBytesPerS);
  link.stream(result.suspendS, parameters.finalStateBytes, controlBytesPerS);
  // Sharing and release are hypercalls from the source guest Dom0's vCPU: it runs flat out,
  // and the destination guest Dom0 keeps pace establishing each page in the new guest (R1).
  const { setupS, sharePerPageS, releasePerPageS, destinationCpuSPerSourceCpuS } = zeroCopy;
  cpu.add(setupS, result.suspendS, guestPages * sharePerPageS * (1 + destinationCpuSPerSourceCpuS));
  cpu.add(result.suspendS, result.suspendS + guestPages * releasePerPageS, guestPages * releasePerPageS);
  cpu.add(result.suspendS, result.migrationTimeS, parameters.fixedCpuS);
  return {
    migrationTimeS: result.migrationTimeS,
    downtimeS: result.downtimeS,
    iterations: 1 + parameters.initialBitmapSyncs,
    pagesSent: parameters.nonGuestRamPages,
    transferredBytes: guestPages * parameters.pageBytes,
    memoryAccessBytes: 0,
    ...link.summary(),
    ...cpu.summary(),
  };
}

/** Pre-copy over a paper system's own path, under the profile's policy (Xen 4.2.2's, or the host testbed's). */
function simulateXenPrecopy(system: PrecopySystem, point: MigrationPoint, seed: number, parameters: SimParameters): MigrationMeasurement {
  const path = parameters.precopyPaths[system];
  const guestPages = (point.memoryMb * 1024 * 1024) / parameters.pageBytes;
  const migration: PathMigration = {
    point,
    seed,
    parameters,
    carrier: system,
    policy: parameters.policy,
    streamBytesPerS: streamBytesPerS(path.stages, parameters),
    pageHeaderBytes: parameters.pageHeaderBytes,
    batchHeaderBytes: parameters.batchHeaderBytes,
    inFlightBytesAtStop: path.inFlightBytesAtStop,
    p2mFrames: p2mFrames(guestPages, parameters.guestP2m[system]),
    ...(path.downtimeLimitS === undefined ? {} : { downtimeLimitS: path.downtimeLimitS }),
  };
  const run = runPathMigration(migration);
  if (run.outcome.kind !== 'completed') throw new Error(`${system} handed over without post-copy`);
  return completedMeasurement(run, run.outcome, migration, parameters.initialBitmapSyncs);
}

/** Fig. 7: the guest's web service while it migrates, its stream slowed to the NIC share it gets. */
export function simulateService(
  point: MigrationPoint,
  seed: number,
  parameters: SimParameters = PAPER_PARAMETERS,
): ServiceMeasurement {
  const plan = planWebService(point, parameters);
  const migrationParameters =
    plan.migrationStreamBytesPerS === undefined
      ? parameters
      : withStreamRate(parameters, point.system, plan.migrationStreamBytesPerS);
  return webServiceTimeline(plan, simulateMigration(point, seed, migrationParameters), parameters);
}
