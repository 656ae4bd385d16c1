import { describe, expect, it } from 'vitest';
import type { CallTimes } from '../../../../harness/backends/qemu/web/httperf.ts';
import { failedInWindow, serviceTimeline, type ServiceWindow } from '../../../../harness/backends/qemu/web/timeline.ts';

const T0 = 1_700_000_000_000;
const options = { timeoutS: 5, warmUpS: 2 };

/** A steady load of `rps` from T0 for `seconds`, each call answered `latencyMs` later unless `lost(sentMs)`. */
function steadyLoad(rps: number, seconds: number, latencyMs: number, lost: (sentMs: number) => boolean = () => false): CallTimes {
  const calls: CallTimes = { sentMs: new Map(), repliedMs: new Map() };
  for (let id = 0; id < rps * seconds; id++) {
    const sent = T0 + (id * 1000) / rps;
    calls.sentMs.set(id, sent);
    if (!lost(sent)) calls.repliedMs.set(id, sent + latencyMs);
  }
  return calls;
}

const window: ServiceWindow = { loadStartMs: T0, migrateMs: T0 + 10_000, resumedMs: T0 + 14_000, loadEndMs: T0 + 30_000 };

describe('service timeline', () => {
  it('sees no degradation when every request is answered on time', () => {
    const result = serviceTimeline(steadyLoad(50, 30, 0), window, options, 0);
    expect(result.normalRps).toBeCloseTo(50, 6);
    expect(result.migrationRps).toBeCloseTo(50, 6);
    expect(result.degradationPct).toBeCloseTo(0, 6);
    expect(result.failedRequests).toBe(0);
    expect(result.series).toHaveLength(30);
    expect(result.series.filter((bin) => bin.migrating).map((bin) => bin.tS)).toEqual([10, 11, 12, 13]);
    expect(result.series.every((bin) => bin.rps === 50)).toBe(true);
  });

  it('counts requests lost during the window as failed and as missing throughput', () => {
    const lostInWindow = (sent: number): boolean => sent >= T0 + 11_000 && sent < T0 + 12_000;
    const calls = steadyLoad(50, 30, 0, lostInWindow);
    const result = serviceTimeline(calls, window, options, 50);
    expect(result.migrationRps).toBeCloseTo((4 * 50 - 50) / 4, 6);
    expect(result.degradationPct).toBeCloseTo(25, 6);
    expect(result.failedRequests).toBe(50);
    expect(result.series[11]?.rps).toBe(0);
  });

  it('leaves failures before or after the window out of it, and calls in flight at the stop out of everything', () => {
    const lost = (sent: number): boolean =>
      (sent >= T0 + 3_000 && sent < T0 + 3_100) || // 5 before the window, by more than a timeout
      (sent >= T0 + 20_000 && sent < T0 + 20_200) || // 10 after the guest resumed
      sent >= T0 + 29_000; // 50 still waiting when httperf was stopped
    const calls = steadyLoad(50, 30, 20, lost);
    // httperf counted the 15 timeouts; the calls in flight at SIGINT are no errors.
    expect(failedInWindow(calls, window, options, 15)).toBe(0);
    // Two connections that never connected carry no time: they are counted in the window.
    expect(failedInWindow(calls, window, options, 17)).toBe(2);
  });

  it('marks the one bin of a window shorter than a second', () => {
    const short: ServiceWindow = { ...window, migrateMs: T0 + 10_300, resumedMs: T0 + 10_371 };
    const result = serviceTimeline(steadyLoad(50, 30, 20), short, options, 0);
    expect(result.series.filter((bin) => bin.migrating).map((bin) => bin.tS)).toEqual([10]);
  });

  it('counts throughput over at least one second after a switch-over shorter than that', () => {
    const short: ServiceWindow = { ...window, migrateMs: T0 + 10_300, resumedMs: T0 + 10_371 };
    // Replies held back during the 71 ms downtime arrive just after it: within the second, nothing is lost.
    const held = steadyLoad(50, 30, 0);
    for (const [id, sent] of held.sentMs) if (sent >= T0 + 10_300 && sent < T0 + 10_371) held.repliedMs.set(id, T0 + 10_371);
    expect(serviceTimeline(held, short, options, 0).migrationRps).toBeCloseTo(50, 6);
    // A guest that stays silent for the rest of that second shows it.
    const silent = steadyLoad(50, 30, 0, (sent) => sent >= T0 + 10_300 && sent < T0 + 10_800);
    expect(serviceTimeline(silent, short, options, 0).degradationPct).toBeCloseTo(50, 6);
  });

  it('rejects windows that leave no normal phase or no time for late failures', () => {
    const calls = steadyLoad(50, 30, 20);
    expect(() => serviceTimeline(calls, { ...window, migrateMs: T0 + 1_000 }, options, 0)).toThrow(/before the 2 s warm-up ended/);
    expect(() => serviceTimeline(calls, { ...window, loadEndMs: T0 + 16_000 }, options, 0)).toThrow(/less than the 5 s timeout/);
    expect(() => serviceTimeline(calls, { ...window, resumedMs: T0 + 9_000 }, options, 0)).toThrow(/resumed before/);
  });

  it('refuses a run whose server answered nothing before the migration (no degradation can be computed)', () => {
    const silent = steadyLoad(50, 30, 0, (sent) => sent < T0 + 10_000);
    expect(() => serviceTimeline(silent, window, options, 500)).toThrow(/no replies in the 8\.0 s before the migration/);
  });
});
