/**
 * What the guest felt: the workload's reports of the pages it has written
 * (guest/workload.c, every 100 ms on the control port), turned into pages
 * per second before, during and after a migration. Pure.
 *
 * Which clock: each report is stamped with the host's epoch clock when its
 * line arrives (control-port.ts), not with the guest's own t_ms. The windows
 * are bounded by host events (`migrate`, the destination's RESUME, QMP's
 * timestamps are the host's epoch clock too), and the guest's clock cannot
 * see the migration's pause: under TCG its TSC follows QEMU's virtual clock,
 * which stops with the VM, so a stopped guest's reports would close the
 * gap. On the host's clock a stopped guest writes nothing for as long as it
 * is stopped, which is what it felt. A line crosses the emulated UART and
 * QEMU's socket in well under a millisecond; the harness reads it on its
 * event loop, which is idle during a migration, so the stamp is late by a
 * few ms at most, against windows of seconds.
 *
 * Resolution: a report every 100 ms (guest/workload.c). Between two
 * reports the count is interpolated over the time the guest ran: QEMU's
 * STOP and RESUME events bound when it could not run at all. So a window
 * shorter than a report period (a zero-copy migration: some 30 ms, most of
 * it the pause) is still judged by what the guest could do in it, though
 * how it wrote within its few running ms is the straight line of the
 * reports around them. Reporting every 10 ms tick would resolve that, but
 * its bytes cross the emulated UART one I/O exit each: measured here, the
 * guest's QEMU then used 16 % of a core instead of 9 %, during the very
 * migrations being measured on two cores.
 */
import type { GuestWrites } from '../backend.ts';

export const WRITES_LINE = 'VMBEAM-WRITES';
/** The workload found a page of its region not holding what it last wrote there. */
export const CORRUPT_LINE = 'VMBEAM-CORRUPT';

/** One report as the guest printed it. */
export interface WritesReport {
  /** The guest's CLOCK_MONOTONIC, ms (diagnostics only: see the clock above). */
  readonly guestMs: number;
  /** Pages written since the workload started dirtying. */
  readonly pages: number;
}

/** One report as the host received it. */
export interface WritesSample {
  /** Host epoch ms (Date.now()) when the line arrived. */
  readonly hostMs: number;
  readonly pages: number;
}

/** Seconds the before and after windows span: 30 reports each, taken after set-up has quietened down. */
export const BEFORE_S = 3;
export const AFTER_S = 3;

/** Parses "VMBEAM-WRITES t_ms=<ms> pages=<n>"; undefined for any other line. */
export function parseWritesLine(line: string): WritesReport | undefined {
  const match = /^VMBEAM-WRITES t_ms=(\d+) pages=(\d+)\s*$/.exec(line.trim());
  if (match === null) return undefined;
  return { guestMs: Number(match[1]), pages: Number(match[2]) };
}

/** When the VM was stopped (the source's STOP to the destination's RESUME, host epoch ms): the guest wrote nothing then. */
export interface Pause {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Host time `tMs` less whatever of the pause lies before it: the time the guest had run by then. */
function ranMs(tMs: number, pause: Pause | undefined): number {
  if (pause === undefined) return tMs;
  return tMs - Math.min(Math.max(tMs - pause.fromMs, 0), Math.max(pause.toMs - pause.fromMs, 0));
}

/**
 * Pages written by host time `tMs`, interpolated between the reports
 * around it over the time the guest ran: while it was stopped (QEMU's STOP
 * to RESUME) it wrote nothing, so two reports on either side of the pause
 * spread their difference over the running time alone. Undefined outside
 * the reports' span. Samples must be in arrival order.
 */
export function pagesAt(samples: readonly WritesSample[], tMs: number, pause?: Pause): number | undefined {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || tMs < first.hostMs || tMs > last.hostMs) return undefined;
  const after = samples.findIndex((sample) => sample.hostMs >= tMs);
  if (after === 0) return first.pages;
  const b = samples[after]!;
  const a = samples[after - 1]!;
  const [ranA, ranB, ranT] = [ranMs(a.hostMs, pause), ranMs(b.hostMs, pause), ranMs(tMs, pause)];
  if (ranB === ranA) return b.pages;
  return a.pages + ((b.pages - a.pages) * (ranT - ranA)) / (ranB - ranA);
}

/** Pages per host second written in [fromMs, toMs]; undefined when the reports do not cover it or it is empty. */
export function writesRate(samples: readonly WritesSample[], fromMs: number, toMs: number, pause?: Pause): number | undefined {
  if (!(toMs > fromMs)) return undefined;
  const from = pagesAt(samples, fromMs, pause);
  const to = pagesAt(samples, toMs, pause);
  if (from === undefined || to === undefined) return undefined;
  return ((to - from) * 1000) / (toMs - fromMs);
}

/**
 * Pages per second over the last `spanMs` of reports (from the newest
 * report back); undefined until the reports span that long.
 */
export function recentWritesRate(samples: readonly WritesSample[], spanMs: number): number | undefined {
  const last = samples.at(-1);
  if (last === undefined) return undefined;
  return writesRate(samples, last.hostMs - spanMs, last.hostMs);
}

/** The host instants that bound the windows (epoch ms). */
export interface MigrationWindow {
  readonly migrateMs: number;
  /** When the migration was over for the guest: it runs at the destination and needs nothing more from the source. */
  readonly endMs: number;
  /** The VM's stop, when QEMU reported one. */
  readonly pause?: Pause;
}

/**
 * Before: the BEFORE_S seconds up to `migrate`; during: from `migrate` to
 * the end; after: the AFTER_S seconds from the end. Throws one line naming
 * the window the reports do not cover.
 */
export function guestWrites(samples: readonly WritesSample[], window: MigrationWindow): GuestWrites {
  const rate = (name: string, fromMs: number, toMs: number): number => {
    const value = writesRate(samples, fromMs, toMs, window.pause);
    if (value === undefined) {
      const span = samples.length === 0 ? 'none arrived' : `they span ${samples[0]!.hostMs}..${samples.at(-1)!.hostMs}`;
      throw new Error(`the guest's write reports do not cover the ${name} window ${Math.round(fromMs)}..${Math.round(toMs)} ms (${span})`);
    }
    return value;
  };
  return {
    beforePagesPerS: rate('before', window.migrateMs - BEFORE_S * 1000, window.migrateMs),
    duringPagesPerS: rate('during', window.migrateMs, window.endMs),
    afterPagesPerS: rate('after', window.endMs, window.endMs + AFTER_S * 1000),
  };
}
