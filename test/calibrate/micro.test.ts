import { describe, expect, it } from 'vitest';
import { benchCiphers, benchMemoryCopy } from '../../harness/calibrate/micro.ts';
import { CIPHERS } from '../../harness/calibrate/profile.ts';

describe('micro-benchmarks (a short run on this machine)', () => {
  it('measure every cipher with its statistics', async () => {
    const rates = await benchCiphers({ timeMs: 50 });
    expect(Object.keys(rates).sort()).toEqual([...CIPHERS].sort());
    for (const cipher of CIPHERS) {
      const rate = rates[cipher];
      // Any host encrypts between 10 MB/s and 100 GB/s on one core.
      expect(rate.mean, cipher).toBeGreaterThan(1e7);
      expect(rate.mean, cipher).toBeLessThan(1e11);
      expect(rate.samples, cipher).toBeGreaterThanOrEqual(16);
      expect(rate.min).toBeLessThanOrEqual(rate.mean);
      expect(rate.max).toBeGreaterThanOrEqual(rate.mean);
    }
  });

  it('measure memory copies page by page and in one piece', async () => {
    const copy = await benchMemoryCopy({ timeMs: 50 });
    expect(copy.page4KiB.unit).toBe('B/s');
    expect(copy.page4KiB.mean).toBeGreaterThan(1e8);
    expect(copy.large.mean).toBeGreaterThan(1e8);
    expect(copy.regionBytes).toBe(64 * 1024 * 1024);
  });
});
