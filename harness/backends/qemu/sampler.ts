/**
 * Cheap counters during a migration: link bytes and CPU ticks of the
 * testbed's processes, read from /proc by ONE 1 s timer (plus a sample at the
 * start and at completion), and pure binning of those samples into series.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
 * One point per interval between consecutive samples, stamped with the
 * interval's start (s since the migration started). Rates are per interval,
 * so a short last interval still reports a rate, not a partial sum.
 */
export function binSamples(samples: readonly CounterSample[], ticksPerSecond: number): Series {
  const bandwidthSeries: BandwidthPoint[] = [];
  const cpuSeries: CpuPoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined) continue;
    const dtS = (b.tMs - a.tMs) / 1000;
    if (dtS <= 0) continue;
    const tS = Math.round(a.tMs) / 1000;
    bandwidthSeries.push({ tS, mbps: ((b.linkBytes - a.linkBytes) * 8) / dtS / 1e6 });
    cpuSeries.push({ tS, utilizationPct: ((b.cpuTicks - a.cpuTicks) / ticksPerSecond / dtS) * 100 });
  }
  return { bandwidthSeries, cpuSeries };
}
