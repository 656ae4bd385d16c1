/**
 * Cheap counters during a migration: link bytes and CPU ticks of the
 * testbed's processes, read from /proc by ONE 1 s timer (plus a sample at the
 * start and at completion), and pure binning of those samples into series.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { TimeBins } from '../../series.ts';
import type { BandwidthPoint, CpuPoint } from './types.ts';

export interface CounterSample {
  /** ms since the start of the migration. */
  tMs: number;
  linkBytes: number;
  /** utime + stime summed over the watched processes (all their threads), in clock ticks. */
  cpuTicks: number;
}

let clockTicks: number | undefined;

/** sysconf(_SC_CLK_TCK); 100 on every mainstream Linux. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields after the parenthesised command name of /proc/PID/stat (the name may contain spaces). */
function statFields(text: string): string[] {
  const close = text.lastIndexOf(')');
  return text.slice(close + 2).trim().split(' ');
}

/** utime + stime (ticks, whole thread group) from /proc/PID/stat text. */
export function parseStatTicks(text: string): number {
  const fields = statFields(text);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

export function parseStatPpid(text: string): number {
  return Number(statFields(text)[1]);
}

export function readProcessTicks(pid: number): number | undefined {
  try {
    return parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `root` and all its descendants (one scan of /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = parseStatPpid(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // raced with an exit
    }
  }
  const result: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    if (pid === undefined) break;
    result.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return result;
}

/**
 * Sums ticks over a fixed set of pids. A process that has exited keeps its
 * last value, so the sum never goes backwards.
 */
export class CpuCounter {
  private readonly last = new Map<number, number>();
  constructor(pids: Iterable<number>) {
    for (const pid of pids) this.last.set(pid, readProcessTicks(pid) ?? 0);
  }
  addPids(pids: Iterable<number>): void {
    for (const pid of pids) if (!this.last.has(pid)) this.last.set(pid, readProcessTicks(pid) ?? 0);
  }
  read(): number {
    let sum = 0;
    for (const [pid, previous] of this.last) {
      const now = readProcessTicks(pid);
      const value = now === undefined ? previous : Math.max(now, previous);
      this.last.set(pid, value);
      sum += value;
    }
    return sum;
  }
}

export class Sampler {
  readonly samples: CounterSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly t0: number;

  constructor(
    private readonly readLinkBytes: () => number | undefined,
    private readonly cpu: CpuCounter,
    private readonly periodMs = 1000,
  ) {
    this.t0 = performance.now();
    this.sample();
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), this.periodMs);
    this.timer.unref();
  }

  /** Takes a last sample and stops the timer; later calls change nothing. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  sample(): CounterSample {
    const previous = this.samples.at(-1);
    const sample = {
      tMs: performance.now() - this.t0,
      linkBytes: this.readLinkBytes() ?? previous?.linkBytes ?? 0,
      cpuTicks: this.cpu.read(),
    };
    this.samples.push(sample);
    return sample;
  }
}

export interface Series {
  bandwidthSeries: BandwidthPoint[];
  cpuSeries: CpuPoint[];
}

/**
 * The counters' growth between consecutive samples, spread over aligned 1 s
 * bins from the first sample (as the simulator and the xen backend bin
 * theirs): link Mbit/s and CPU % (100 = one core) per bin. A partial last
 * bin reports what happened in it, per full second.
 */
export function binSamples(samples: readonly CounterSample[], ticksPerSecond: number): Series {
  const first = samples[0];
  if (first === undefined) return { bandwidthSeries: [], cpuSeries: [] };
  const bytes = new TimeBins();
  const cpuSeconds = new TimeBins();
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const fromS = (a.tMs - first.tMs) / 1000;
    const toS = (b.tMs - first.tMs) / 1000;
    if (toS <= fromS) continue;
    bytes.add(fromS, toS, b.linkBytes - a.linkBytes);
    cpuSeconds.add(fromS, toS, (b.cpuTicks - a.cpuTicks) / ticksPerSecond);
  }
  const bins = Math.max(bytes.totals().length, cpuSeconds.totals().length);
  const at = (totals: number[], index: number): number => totals[index] ?? 0;
  const byteTotals = bytes.totals();
  const cpuTotals = cpuSeconds.totals();
  return {
    bandwidthSeries: Array.from({ length: bins }, (_, index) => ({
      tS: index * bytes.binS,
      mbps: (at(byteTotals, index) * 8) / 1e6 / bytes.binS,
    })),
    cpuSeries: Array.from({ length: bins }, (_, index) => ({
      tS: index * cpuSeconds.binS,
      utilizationPct: (at(cpuTotals, index) / cpuSeconds.binS) * 100,
    })),
  };
}
