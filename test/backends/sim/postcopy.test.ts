import { describe, expect, it } from 'vitest';
import { QEMU_SCHEMES } from '../../../harness/backends/sim/parameters.ts';
import { discardBytes, frameRuns, postcopyGuestWrites, postcopyPhase } from '../../../harness/backends/sim/postcopy.ts';

const PC = QEMU_SCHEMES.postcopy;

describe("post-copy's switch (migration.c postcopy_start)", () => {
  it('sends one discard range per run of consecutive stale frames, 12 ranges a command', () => {
    expect(frameRuns([])).toBe(0);
    expect(frameRuns([3, 4, 5, 9, 11, 12])).toBe(3);
    expect(discardBytes(3, PC)).toBe(3 * 16 + 14);
    expect(discardBytes(13, PC)).toBe(13 * 16 + 2 * 14);
  });

  it('stops the guest for the queue, the discards and the final stage; a fault waits for the queue and the page', () => {
    const phase = postcopyPhase({
      dirtyFrames: [1, 2, 3, 10],
      regionPages: 100,
      writePagesPerS: 0,
      streamBytesPerS: 1e6,
      pageBytesOnWire: 4104,
      inFlightBytesAtStop: 1e5,
      finalStageS: 0.5,
      parameters: PC,
    });
    expect(phase.discardBytes).toBe(2 * 16 + 14);
    expect(phase.downtimeS).toBeCloseTo((1e5 + 46) / 1e6 + 0.5, 12);
    expect(phase.faultS).toBeCloseTo((PC.faultQueueBytes + 4104) / 1e6, 12);
    expect(phase.pushS).toBeCloseTo((4 * 4104) / 1e6, 12);
  });
});

describe("the guest's writes while post-copy fetches its pages", () => {
  const base = { pagesPerS: 1000, regionPages: 100_000, pushPagesPerS: 2000, faultS: 0.2 };

  it('keeps its rate when stalls are rarer than its writes (f0 x fault x rate <= 1)', () => {
    // 50 stale pages of 100,000: f0 = 0.0005, 0.0005 x 0.2 x 1000 = 0.1.
    expect(postcopyGuestWrites({ ...base, stalePages: 50 })).toBeCloseTo((50 / 2000) * 1000, 9);
  });

  it('writes T / (f0 fault) (1 + ln(f0 fault rate)) pages when stalls bound it', () => {
    // Half the region stale: T = 25 s, f0 = 0.5, f0 x fault = 0.1, x rate = 100.
    const writes = postcopyGuestWrites({ ...base, stalePages: 50_000 });
    expect(writes).toBeCloseTo((25 / 0.1) * (1 + Math.log(100)), 6);
    // Far below the 25,000 pages it would write unhindered.
    expect(writes).toBeLessThan(0.1 * 25 * 1000);
  });

  it('writes less the more pages are stale and the longer a fault waits', () => {
    const few = postcopyGuestWrites({ ...base, stalePages: 10_000 }) / (10_000 / 2000);
    const many = postcopyGuestWrites({ ...base, stalePages: 90_000 }) / (90_000 / 2000);
    expect(many).toBeLessThan(few);
    expect(postcopyGuestWrites({ ...base, stalePages: 50_000, faultS: 0.4 })).toBeLessThan(postcopyGuestWrites({ ...base, stalePages: 50_000 }));
    expect(postcopyGuestWrites({ ...base, stalePages: 0 })).toBe(0);
  });
});
