import { describe, expect, it } from 'vitest';
import { DirtyLog, scatteredRegion } from '../../../harness/backends/sim/dirty-log.ts';
import { Random } from '../../../harness/random.ts';

describe('DirtyLog', () => {
  it('marks a page written twice as dirty once', () => {
    const region = Int32Array.from({ length: 64 }, (_, i) => i * 3);
    const log = new DirtyLog(region, 1000, 0, new Random(3));
    log.advanceTo(1); // 1,000 writes over 64 pages: every page is written many times
    const dirty = log.clean();
    expect(dirty.length).toBe(64);
    expect(new Set(dirty).size).toBe(64);
  });

  it('applies writes at the configured rate, uniformly over the region', () => {
    const regionPages = 1 << 18;
    const region = Int32Array.from({ length: regionPages }, (_, i) => i);
    const log = new DirtyLog(region, 2000, 10, new Random(5));
    log.advanceTo(10); // the workload starts at t = 10 s
    expect(log.clean().length).toBe(0);
    log.advanceTo(20);
    const dirty = log.clean();
    // 20,000 writes over 262,144 pages: a few collide.
    const expected = regionPages * (1 - Math.exp(-20000 / regionPages));
    expect(Math.abs(dirty.length - expected)).toBeLessThan(60);
    const lowerHalf = dirty.filter((index) => index < regionPages / 2).length;
    expect(Math.abs(lowerHalf / dirty.length - 0.5)).toBeLessThan(0.02);
  });

  it('changes its rate from a time on, as a throttled guest writes less', () => {
    const region = Int32Array.from({ length: 1 << 20 }, (_, i) => i);
    const log = new DirtyLog(region, 1000, 2, new Random(7));
    expect(log.writesBy(1)).toBe(0);
    expect(log.writesBy(12)).toBe(10_000);
    log.setRate(12, 250);
    expect(log.writesBy(16)).toBe(11_000);
    log.advanceTo(16);
    // 11,000 writes over a million pages: hardly any collide.
    expect(log.clean().length).toBeGreaterThan(10_900);
    log.setRate(16, 0);
    log.advanceTo(100);
    expect(log.clean().length).toBe(0);
  });

  it('returns dirtied pages in frame order and clears them', () => {
    const region = Int32Array.from({ length: 1000 }, (_, i) => i);
    const log = new DirtyLog(region, 500, 0, new Random(9));
    log.advanceTo(1);
    const dirty = log.clean();
    expect([...dirty]).toEqual([...dirty].sort((a, b) => a - b));
    for (const index of dirty) expect(log.isDirty(index)).toBe(false);
  });

  it('does nothing at rate 0', () => {
    const log = new DirtyLog(Int32Array.from([1, 2, 3]), 0, 0, new Random(1));
    log.advanceTo(1000);
    expect(log.clean().length).toBe(0);
  });
});

describe('scatteredRegion', () => {
  it('picks distinct frames in order, spread over the guest', () => {
    const region = scatteredRegion(100_000, 50_000, new Random(2));
    expect(region.length).toBe(50_000);
    for (let i = 1; i < region.length; i++) expect(region[i]!).toBeGreaterThan(region[i - 1]!);
    expect(region[0]!).toBeLessThan(10);
    expect(region[region.length - 1]!).toBeGreaterThan(99_990);
  });

  it('rejects a region larger than the guest', () => {
    expect(() => scatteredRegion(10, 11, new Random(1))).toThrow(/exceeds the guest/);
  });
});
