import { describe, expect, it } from 'vitest';
import { initialThrottle, throttleAfterSync, throttledWritePagesPerS, type ThrottleState } from '../../../harness/backends/sim/auto-converge.ts';
import { PAGE_BYTES, QEMU_SCHEMES } from '../../../harness/backends/sim/parameters.ts';

const AC = QEMU_SCHEMES.autoConverge;

/** Syncs every `periodS` seconds, each sending `sentPages` and finding `dirtyPages` dirty; the throttle after each. */
function throttles(syncs: number, periodS: number, sentPages: number, dirtyPages: number): number[] {
  let state: ThrottleState = initialThrottle(0);
  const out: number[] = [];
  for (let k = 1; k <= syncs; k++) {
    state = throttleAfterSync(state, { tS: k * periodS, dirtyPages, streamBytes: k * sentPages * PAGE_BYTES }, AC, PAGE_BYTES);
    out.push(state.pct);
  }
  return out;
}

describe("auto-converge's throttle (ram.c migration_trigger_throttle)", () => {
  it('steps 20, 30, 40 ... at every second sync where the dirty bytes exceed half the bytes sent, up to 99', () => {
    // 600 dirty pages against 1,000 sent: 60 % > 50 %, every period.
    expect(throttles(20, 10, 1000, 600)).toEqual([0, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90, 99, 99, 99]);
  });

  it('does not move while the period stays at or below the threshold', () => {
    expect(throttles(6, 10, 1000, 500)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('keeps counting periods over the threshold across one that is not (the count resets only on a step)', () => {
    let state = initialThrottle(0);
    const sync = (k: number, dirty: number) => {
      state = throttleAfterSync(state, { tS: k * 10, dirtyPages: dirty, streamBytes: k * 1000 * PAGE_BYTES }, AC, PAGE_BYTES);
      return state.pct;
    };
    expect([sync(1, 600), sync(2, 100), sync(3, 600)]).toEqual([0, 0, 20]);
  });

  it('judges a period only after more than a second: shorter syncs add their dirty pages to the next', () => {
    let state = initialThrottle(0);
    // Two half-second syncs, each 300 dirty against 1,000 sent: only together (600 of 2,000 after 1.5 s) are they judged.
    state = throttleAfterSync(state, { tS: 0.5, dirtyPages: 300, streamBytes: 1000 * PAGE_BYTES }, AC, PAGE_BYTES);
    expect(state.periodDirtyPages).toBe(300);
    expect(state.periodStartS).toBe(0);
    state = throttleAfterSync(state, { tS: 1.5, dirtyPages: 300, streamBytes: 2000 * PAGE_BYTES }, AC, PAGE_BYTES);
    expect(state).toEqual({ pct: 0, highPeriods: 0, periodStartS: 1.5, periodStartBytes: 2000 * PAGE_BYTES, periodDirtyPages: 0 });
  });

  it('slows a writer that needs its whole vCPU by the throttle, and one that needs a share s only once 1 - p < s', () => {
    expect(throttledWritePagesPerS(10000, 0, 1)).toBe(10000);
    expect(throttledWritePagesPerS(10000, 40, 1)).toBeCloseTo(6000, 9);
    expect(throttledWritePagesPerS(10000, 99, 1)).toBeCloseTo(100, 9);
    expect(throttledWritePagesPerS(10000, 90, 0.05)).toBe(10000);
    expect(throttledWritePagesPerS(10000, 99, 0.05)).toBeCloseTo(2000, 9);
  });
});
