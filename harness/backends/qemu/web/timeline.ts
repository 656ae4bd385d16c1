/**
 * From httperf's time-stamped calls and the migration's window to Fig. 7's
 * numbers (pure): replies per second in 1 s bins, throughput before and
 * during the migration, and the requests that failed because of it.
 */
import type { CallTimes } from './httperf.ts';

export interface ServiceWindow {
  /** Epoch ms of the first request httperf sent: t = 0 of the series. */
  loadStartMs: number;
  /** `migrate` accepted by the source QEMU. */
  migrateMs: number;
  /** The guest runs at the destination (its RESUME event). */
  resumedMs: number;
  /** httperf stopped (SIGINT); calls still waiting then are neither replies nor failures. */
  loadEndMs: number;
}

export interface TimelineOptions {
  /** httperf's --timeout: a call not answered within it has failed. */
  timeoutS: number;
  /** The first seconds of the load are left out of the normal rate (connections ramp up). */
  warmUpS: number;
}

export interface ServiceTimeline {
  normalRps: number;
  migrationRps: number;
  degradationPct: number;
  series: { tS: number; rps: number; migrating: boolean }[];
  /** Failed requests of the migration window (see failedInWindow). */
  failedRequests: number;
}

/** The shortest span the during-migration throughput is counted over. */
export const MIN_RATE_WINDOW_MS = 1000;

export function validateWindow(window: ServiceWindow, options: TimelineOptions): void {
  const { loadStartMs, migrateMs, resumedMs, loadEndMs } = window;
  if (!(loadStartMs + options.warmUpS * 1000 < migrateMs)) {
    throw new Error(`the migration started ${((migrateMs - loadStartMs) / 1000).toFixed(2)} s into the load, before the ${options.warmUpS} s warm-up ended`);
  }
  if (!(migrateMs <= resumedMs)) throw new Error('the guest resumed before the migration started');
  if (!(Math.max(resumedMs, migrateMs + MIN_RATE_WINDOW_MS) + options.timeoutS * 1000 <= loadEndMs)) {
    throw new Error(`the load stopped ${((loadEndMs - resumedMs) / 1000).toFixed(2)} s after the guest resumed, less than the ${options.timeoutS} s timeout`);
  }
}

function countIn(times: Iterable<number>, fromMs: number, toMs: number): number {
  let n = 0;
  for (const t of times) if (t >= fromMs && t < toMs) n++;
  return n;
}

/**
 * Failed requests of the migration window: every failure httperf counted
 * (`failuresTotal`: its errors plus non-2xx replies) except the calls that
 * provably failed outside the window: sent more than one timeout before the
 * migration started (they had failed before it could matter) or after the
 * guest resumed. A connection that never connected carries no time in
 * httperf's output; it is counted in the window, as the guest is only ever
 * unreachable around the switch-over.
 */
export function failedInWindow(calls: CallTimes, window: ServiceWindow, options: TimelineOptions, failuresTotal: number): number {
  const timeoutMs = options.timeoutS * 1000;
  let outside = 0;
  for (const [id, sentMs] of calls.sentMs) {
    if (calls.repliedMs.has(id)) continue;
    if (sentMs > window.loadEndMs - timeoutMs) continue; // still waiting when httperf was stopped
    if (sentMs < window.migrateMs - timeoutMs || sentMs >= window.resumedMs) outside++;
  }
  return Math.max(0, failuresTotal - outside);
}

export function serviceTimeline(
  calls: CallTimes,
  window: ServiceWindow,
  options: TimelineOptions,
  failuresTotal: number,
): ServiceTimeline {
  validateWindow(window, options);
  const replies = [...calls.repliedMs.values()];
  const normalFromMs = window.loadStartMs + options.warmUpS * 1000;
  const normalRps = countIn(replies, normalFromMs, window.migrateMs) / ((window.migrateMs - normalFromMs) / 1000);
  if (normalRps === 0) {
    throw new Error(`no replies in the ${((window.migrateMs - normalFromMs) / 1000).toFixed(1)} s before the migration: the guest's web server did not serve the load`);
  }
  // Throughput during the migration is counted over at least one second (the
  // series' resolution): a 70 ms zero-copy switch-over would otherwise be
  // judged on the two or three replies that happen to fall inside it.
  const rateEndMs = Math.max(window.resumedMs, window.migrateMs + MIN_RATE_WINDOW_MS);
  const migrationRps = countIn(replies, window.migrateMs, rateEndMs) / ((rateEndMs - window.migrateMs) / 1000);
  const bins = Math.floor((window.loadEndMs - window.loadStartMs) / 1000);
  const counts = new Array<number>(bins).fill(0);
  for (const t of replies) {
    const bin = Math.floor((t - window.loadStartMs) / 1000);
    if (bin >= 0 && bin < bins) counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const startS = (window.migrateMs - window.loadStartMs) / 1000;
  const endS = (window.resumedMs - window.loadStartMs) / 1000;
  return {
    normalRps,
    migrationRps,
    degradationPct: (1 - migrationRps / normalRps) * 100,
    // Same convention as the simulator: a bin is "migrating" when it overlaps the window.
    series: counts.map((rps, tS) => ({ tS, rps, migrating: tS + 1 > startS && tS < Math.max(endS, startS + 1e-3) })),
    failedRequests: failedInWindow(calls, window, options, failuresTotal),
  };
}
