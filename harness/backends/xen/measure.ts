/**
 * Turns what one migration left (xl's log, counter samples, xentop frames,
 * heartbeats) into the row's MigrationMeasurement. Pure: no clocks, no I/O.
 */
import type { MigrationMeasurement, SeriesSample } from '../backend.ts';
import { TimeBins } from '../../series.ts';
import { cpuBetween, type CpuReading } from './cpu.ts';
import type { CounterSample } from './netdev.ts';
import type { MigrationLog } from './parse.ts';
import { frameCpuPct, type XentopFrame } from './xentop.ts';
import { heartbeatPauseS } from './workload.ts';
import { PAGE_BYTES } from '../../units.ts';

/** A link interval counts as carrying the migration when its rate is at least this share of the peak. */
const TRANSFER_SHARE_OF_PEAK = 0.1;

export interface MigrationEvidence {
  readonly log: Extract<MigrationLog, { status: 'succeeded' }>;
  /** performance.now() when `xl migrate` was started. */
  readonly startMs: number;
  /** Counter samples of the source interface: one before, the loop's, one after. */
  readonly counters: readonly CounterSample[];
  /** undefined when no cloud Dom0 is configured. */
  readonly xentop: { readonly frames: readonly XentopFrame[]; readonly delayS: number; readonly domains: readonly string[] | undefined } | undefined;
  /** Cumulative CPU counters of the cloud VMs (a local testbed's QEMUs); used instead of xentop when present. */
  readonly cpuReadings?: readonly CpuReading[] | undefined;
  /** Heartbeat arrival times from the guest workload; undefined without guest.address. */
  readonly heartbeatsMs: readonly number[] | undefined;
}

export function buildMeasurement(evidence: MigrationEvidence): MigrationMeasurement {
  const { log, startMs } = evidence;
  const endMs = log.times.successMs!;
  const network = networkLoad(evidence.counters, startMs);
  const cpu =
    evidence.cpuReadings !== undefined
      ? cpuBetween(evidence.cpuReadings, startMs, endMs)
      : evidence.xentop === undefined
        ? undefined
        : cpuLoad(evidence.xentop, startMs, endMs);
  return {
    migrationTimeS: (endMs - startMs) / 1000,
    downtimeS: downtime(log, evidence.heartbeatsMs, startMs),
    networkBytes: network.bytes,
    transferDurationS: network.transferDurationS,
    iterations: log.iterations,
    pagesSent: log.pagesSent,
    bandwidthSeries: network.series,
    cpuTimeS: cpu?.totalS,
    cpuSeries: cpu?.series ?? [],
    transferredBytes: log.pagesSent === undefined ? undefined : log.pagesSent * PAGE_BYTES,
    memoryAccessBytes: undefined,
  };
}

/**
 * Downtime. With a guest heartbeat: the guest's longest silence around the
 * end of the migration. Without: an approximation from xl's log, from the
 * suspend (4.2: `Start last iteration`; current: `Domain now suspended`) to
 * the sender's `Target reports successful startup.`; both lines are stamped
 * when they reach the harness, and the guest runs slightly before the
 * report travels back, so this over-estimates by about one round trip.
 */
export function downtime(
  log: MigrationEvidence['log'],
  heartbeatsMs: readonly number[] | undefined,
  startMs: number,
): number | undefined {
  const { suspendMs, targetStartedMs, successMs } = log.times;
  if (heartbeatsMs !== undefined && successMs !== undefined) {
    const fromHeartbeat = heartbeatPauseS(heartbeatsMs, suspendMs ?? startMs, successMs);
    if (fromHeartbeat !== undefined) return fromHeartbeat;
  }
  if (suspendMs === undefined || targetStartedMs === undefined || targetStartedMs < suspendMs) return undefined;
  return (targetStartedMs - suspendMs) / 1000;
}

interface NetworkLoad {
  readonly bytes: number | undefined;
  readonly transferDurationS: number | undefined;
  readonly series: SeriesSample[];
}

/** Bytes the source sent on its interface, spread over 1 s bins between consecutive samples. */
export function networkLoad(samples: readonly CounterSample[], startMs: number): NetworkLoad {
  const sorted = [...samples].sort((a, b) => a.tMs - b.tMs);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined || sorted.length < 2) return { bytes: undefined, transferDurationS: undefined, series: [] };
  const bytes = last.txBytes - first.txBytes;
  // A counter that went backwards means the interface was reset: the total is unknown.
  if (bytes < 0) return { bytes: undefined, transferDurationS: undefined, series: [] };
  const bins = new TimeBins();
  const intervals: { fromS: number; toS: number; rate: number }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const fromS = Math.max(0, (a.tMs - startMs) / 1000);
    const toS = Math.max(fromS, (b.tMs - startMs) / 1000);
    const delta = b.txBytes - a.txBytes;
    if (delta <= 0) continue;
    bins.add(fromS, toS, delta);
    intervals.push({ fromS, toS, rate: delta / Math.max(toS - fromS, 1e-3) });
  }
  const series = bins.totals().map((total, index) => ({ tS: index * bins.binS, value: (total * 8) / 1e6 / bins.binS }));
  const peak = Math.max(0, ...intervals.map((interval) => interval.rate));
  const carrying = intervals.filter((interval) => interval.rate >= peak * TRANSFER_SHARE_OF_PEAK);
  const transferDurationS =
    bytes === 0 || carrying.length === 0 ? undefined : carrying.at(-1)!.toS - carrying[0]!.fromS;
  return { bytes, transferDurationS, series };
}

/**
 * CPU the migration cost as the cloud Dom0 saw it: each xentop frame reports
 * utilisation over the `delayS` before it arrived; frames arriving after the
 * start and up to one delay after the end cover the migration.
 */
export function cpuLoad(
  xentop: NonNullable<MigrationEvidence['xentop']>,
  startMs: number,
  endMs: number,
): { totalS: number; series: SeriesSample[] } | undefined {
  const delayMs = xentop.delayS * 1000;
  const covering = xentop.frames.filter((frame) => frame.tMs > startMs && frame.tMs <= endMs + delayMs);
  if (covering.length === 0) return undefined;
  const bins = new TimeBins();
  let totalS = 0;
  for (const frame of covering) {
    const cpuS = (frameCpuPct(frame, xentop.domains) / 100) * xentop.delayS;
    totalS += cpuS;
    const toS = (frame.tMs - startMs) / 1000;
    bins.add(Math.max(0, toS - xentop.delayS), toS, cpuS);
  }
  const series = bins.totals().map((total, index) => ({ tS: index * bins.binS, value: (total / bins.binS) * 100 }));
  return { totalS, series };
}
