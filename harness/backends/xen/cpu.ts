/**
 * CPU time as cumulative counters read beside a migration (e.g. the two
 * cloud VMs' QEMUs from the host's /proc, where the host plays the cloud
 * Dom0), and what a migration cost from them. Pure.
 */
import type { SeriesSample } from '../backend.ts';
import { TimeBins } from '../../series.ts';

/** Cumulative CPU seconds of everything measured, stamped with performance.now(). */
export interface CpuReading {
  readonly tMs: number;
  readonly cpuS: number;
}

/** Starts reading counters; `stop` returns every reading taken, oldest first. */
export interface CpuSource {
  /** What is measured, for run.json. */
  readonly description: string;
  start(signal: AbortSignal): { stop(): Promise<CpuReading[]> };
}

/** The counter at `tMs`, interpolated linearly between the readings around it. */
export function cpuAt(readings: readonly CpuReading[], tMs: number): number | undefined {
  const first = readings[0];
  if (first === undefined || tMs < first.tMs) return undefined;
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1]!;
    const b = readings[i]!;
    if (tMs <= b.tMs) return b.tMs === a.tMs ? b.cpuS : a.cpuS + ((b.cpuS - a.cpuS) * (tMs - a.tMs)) / (b.tMs - a.tMs);
  }
  return undefined;
}

/**
 * CPU time between `startMs` and `endMs` and its utilisation in 1 s bins
 * (100 = one core); undefined unless readings cover both ends.
 */
export function cpuBetween(
  readings: readonly CpuReading[],
  startMs: number,
  endMs: number,
): { totalS: number; series: SeriesSample[] } | undefined {
  const sorted = [...readings].sort((a, b) => a.tMs - b.tMs);
  const from = cpuAt(sorted, startMs);
  const to = cpuAt(sorted, endMs);
  if (from === undefined || to === undefined) return undefined;
  const points = [
    { tMs: startMs, cpuS: from },
    ...sorted.filter((reading) => reading.tMs > startMs && reading.tMs < endMs),
    { tMs: endMs, cpuS: to },
  ];
  const bins = new TimeBins();
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (b.cpuS > a.cpuS) bins.add((a.tMs - startMs) / 1000, (b.tMs - startMs) / 1000, b.cpuS - a.cpuS);
  }
  const series = bins.totals().map((total, index) => ({ tS: index * bins.binS, value: (total / bins.binS) * 100 }));
  return { totalS: to - from, series };
}
