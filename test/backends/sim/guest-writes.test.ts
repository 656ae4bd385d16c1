import { describe, expect, it } from 'vitest';
import { guestWrites, stoppedOnlyForDowntime, writesUntil } from '../../../harness/backends/sim/guest-writes.ts';

describe("the guest's writes around a migration", () => {
  it('integrates a piecewise-constant rate up to a time', () => {
    const steps = [
      { fromS: 0, pagesPerS: 100 },
      { fromS: 10, pagesPerS: 80 },
      { fromS: 20, pagesPerS: 70 },
    ];
    expect(writesUntil(steps, 5)).toBe(500);
    expect(writesUntil(steps, 15)).toBe(1000 + 400);
    expect(writesUntil(steps, 30)).toBe(1000 + 800 + 700);
  });

  it('counts the stop-and-copy as a time the guest writes nothing', () => {
    expect(stoppedOnlyForDowntime(1000, 10, 1)).toEqual({ beforePagesPerS: 1000, duringPagesPerS: 900, afterPagesPerS: 1000 });
    expect(guestWrites(1000, 4000, 8)).toEqual({ beforePagesPerS: 1000, duringPagesPerS: 500, afterPagesPerS: 1000 });
  });
});
