/**
 * Fig. 7: a fluid queueing model of a web server in the guest under an open
 * load while the guest migrates. Requests need the guest's vCPU, the cloud
 * VM's virtual NIC and the guest Dom0's CPUs (which bridge the guest's
 * packets). The migration's own stream needs the same NIC and a guest Dom0
 * CPU. Where the two together ask more of a resource than it has, it is
 * shared max-min fairly (each gets what it asks, up to an equal share, and
 * what one leaves, the other may take). The web server's throughput is the
 * offered load, capped by what every resource leaves it; the migration runs
 * at the rate its NIC share allows, and the guest serves nothing while it
 * is suspended.
 */
import { carrierOf } from '../../systems.ts';
import type { MigrationPoint } from '../../experiment.ts';
import { TimeBins } from '../../series.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { streamBytesPerS as pathRate } from './derived.ts';
import type { PathStage, SimParameters } from './parameter-types.ts';

/** Share of a resource of capacity 1 the first of two users gets, asking `want`, against `other`. */
export function maxMinShare(want: number, other: number, capacity = 1): number {
  if (want + other <= capacity) return want;
  return Math.min(want, Math.max(capacity / 2, capacity - other));
}

export interface WebPlan {
  /** Requests per second the client offers. */
  readonly offeredRps: number;
  /** What the server can serve with no migration running. */
  readonly capacityRps: number;
  /** What it can serve while the migration streams. */
  readonly duringTransferRps: number;
  /** The pre-copy stream's rate while it shares the NIC with the web traffic; undefined for zero-copy. */
  readonly migrationStreamBytesPerS: number | undefined;
}

/** Capacities and shares, before any time passes. */
export function planWebService(point: MigrationPoint, parameters: SimParameters): WebPlan {
  const web = parameters.webService;
  // A scheme beyond the paper serves its web traffic over the link it migrates on.
  const system = carrierOf(point.system);
  const nicSecondsPerPacket = (web.nicCostFrameBytes * 8) / (parameters.stageThroughputMbps[parameters.webNicStage[system]] * 1e6);
  const nicPerRequest = web.packetsPerRequest * nicSecondsPerPacket;
  const dom0PerRequest = web.packetsPerRequest * web.guestDom0SecondsPerPacket;
  const capacityRps = Math.min(1 / web.vcpuSecondsPerRequest, 1 / nicPerRequest, point.guestDom0Cpus / dom0PerRequest);
  const offeredRps = web.offeredLoadFraction * capacityRps;

  if (system === 'vmbeam') {
    // Only a few hundred KiB of state cross the NIC; sharing keeps one guest Dom0 vCPU busy.
    const dom0Share = maxMinShare(offeredRps * dom0PerRequest, 1, point.guestDom0Cpus);
    return {
      offeredRps,
      capacityRps,
      duringTransferRps: Math.min(offeredRps, dom0Share / dom0PerRequest),
      migrationStreamBytesPerS: undefined,
    };
  }
  const stages = parameters.precopyPaths[system].stages;
  const streamBytesPerS = pathRate(stages, parameters);
  const migrationNicDemand = streamBytesPerS * nicSecondsPerByte(stages, parameters);
  const webNicShare = maxMinShare(offeredRps * nicPerRequest, migrationNicDemand);
  const migrationNicShare = Math.min(migrationNicDemand, 1 - webNicShare);
  // The stream is one pipeline on one guest Dom0 vCPU: it asks at most one CPU.
  const dom0Share = maxMinShare(offeredRps * dom0PerRequest, 1, point.guestDom0Cpus);
  return {
    offeredRps,
    capacityRps,
    duringTransferRps: Math.min(offeredRps, webNicShare / nicPerRequest, dom0Share / dom0PerRequest),
    migrationStreamBytesPerS:
      migrationNicDemand === 0 ? streamBytesPerS : streamBytesPerS * (migrationNicShare / migrationNicDemand),
  };
}

/** Seconds of NIC time per byte of migration stream (0 when the path has no virtual NIC). */
function nicSecondsPerByte(stages: readonly PathStage[], parameters: SimParameters): number {
  const nic = stages.find((stage) => stage === 'emulatedNic' || stage === 'blanketIpc');
  return nic === undefined ? 0 : 8 / (parameters.stageThroughputMbps[nic] * 1e6);
}

/** Parameters whose path for `system` streams at `bytesPerS`: the NIC stage slowed to its share. */
export function withStreamRate(parameters: SimParameters, pointSystem: MigrationPoint['system'], bytesPerS: number): SimParameters {
  const system = carrierOf(pointSystem);
  if (system === 'vmbeam') return parameters;
  const stages = parameters.precopyPaths[system].stages;
  const nic = stages.find((stage) => stage === 'emulatedNic' || stage === 'blanketIpc');
  if (nic === undefined) return parameters;
  // Pipelined stages: the NIC's share is the stream's rate; serial ones: what the other stages leave of its time per byte.
  const otherSecondsPerMbit = stages
    .filter((stage) => stage !== nic)
    .reduce((sum, stage) => sum + 1 / parameters.stageThroughputMbps[stage], 0);
  const nicMbps = parameters.pathComposition === 'pipelined' ? (bytesPerS * 8) / 1e6 : 1 / (1e6 / 8 / bytesPerS - otherSecondsPerMbit);
  return { ...parameters, stageThroughputMbps: { ...parameters.stageThroughputMbps, [nic]: nicMbps } };
}

/** The throughput series around one migration, given how that migration went. */
export function webServiceTimeline(plan: WebPlan, migration: MigrationMeasurement, parameters: SimParameters): ServiceMeasurement {
  const { observeBeforeS, observeAfterS } = parameters.webService;
  const start = observeBeforeS;
  const suspend = start + migration.migrationTimeS - (migration.downtimeS ?? 0);
  const end = start + migration.migrationTimeS;
  const normalRps = Math.min(plan.offeredRps, plan.capacityRps);
  const replies = new TimeBins();
  replies.add(0, start, normalRps * start);
  replies.add(start, suspend, plan.duringTransferRps * (suspend - start));
  replies.add(end, end + observeAfterS, normalRps * observeAfterS);
  const bins = replies.totals();
  const lastBin = Math.floor(end + observeAfterS);
  const series = Array.from({ length: lastBin }, (_, t) => ({
    tS: t,
    rps: bins[t] ?? 0,
    migrating: t + 1 > start && t < end,
  }));
  const servedDuring = plan.duringTransferRps * (suspend - start);
  const migrationRps = servedDuring / (end - start);
  return {
    normalRps,
    migrationRps,
    degradationPct: (1 - migrationRps / normalRps) * 100,
    series,
    offeredRps: plan.offeredRps,
    capacityRps: plan.capacityRps,
  };
}
