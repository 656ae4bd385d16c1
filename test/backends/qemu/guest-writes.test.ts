import { describe, expect, it } from 'vitest';
import {
  AFTER_S,
  BEFORE_S,
  guestWrites,
  pagesAt,
  parseWritesLine,
  recentWritesRate,
  writesRate,
  type WritesSample,
} from '../../../harness/backends/qemu/guest-writes.ts';

/** Reports every 100 ms from `fromMs` to `toMs` of a guest writing `perS` pages/s, the counter at `startPages`. */
function steady(fromMs: number, toMs: number, perS: number, startPages = 0): WritesSample[] {
  const samples: WritesSample[] = [];
  for (let t = fromMs; t <= toMs; t += 100) samples.push({ hostMs: t, pages: startPages + ((t - fromMs) * perS) / 1000 });
  return samples;
}

describe('the workload\'s write reports', () => {
  it('parses a report, with the carriage return the guest tty adds', () => {
    expect(parseWritesLine('VMBEAM-WRITES t_ms=16001 pages=14000\r')).toEqual({ guestMs: 16001, pages: 14000 });
    expect(parseWritesLine('  VMBEAM-WRITES t_ms=0 pages=0')).toEqual({ guestMs: 0, pages: 0 });
  });

  it('ignores anything else', () => {
    expect(parseWritesLine('VMBEAM-DIRTYING dirty_mb=64 rate=1000')).toBeUndefined();
    expect(parseWritesLine('VMBEAM-WRITES t_ms=1 pages=')).toBeUndefined();
    expect(parseWritesLine('VMBEAM-CORRUPT page=3 expected=9 found=2')).toBeUndefined();
    expect(parseWritesLine('')).toBeUndefined();
  });
});

describe('pages written by a host instant', () => {
  const samples = [
    { hostMs: 1000, pages: 0 },
    { hostMs: 1100, pages: 100 },
    { hostMs: 1300, pages: 100 },
  ];

  it('interpolates between the reports around it', () => {
    expect(pagesAt(samples, 1050)).toBe(50);
    expect(pagesAt(samples, 1100)).toBe(100);
    expect(pagesAt(samples, 1200)).toBe(100);
    expect(pagesAt(samples, 1000)).toBe(0);
  });

  it('knows nothing outside the reports', () => {
    expect(pagesAt(samples, 999)).toBeUndefined();
    expect(pagesAt(samples, 1301)).toBeUndefined();
    expect(pagesAt([], 1000)).toBeUndefined();
  });
});

describe('write rates', () => {
  it('is the counter\'s growth per second over a window', () => {
    const samples = steady(0, 10_000, 2000);
    expect(writesRate(samples, 1000, 4000)).toBeCloseTo(2000, 9);
    expect(writesRate(samples, 4000, 4000)).toBeUndefined();
    expect(writesRate(samples, 9000, 11_000)).toBeUndefined();
  });

  it('is the last stretch of reports, once they span it', () => {
    expect(recentWritesRate(steady(0, 500, 1000), 1000)).toBeUndefined();
    expect(recentWritesRate(steady(0, 3000, 1000), 1000)).toBeCloseTo(1000, 9);
    expect(recentWritesRate([], 1000)).toBeUndefined();
  });
});

describe('what the guest felt around a migration', () => {
  it('sees a guest that stopped while it migrated write less during than before and after', () => {
    // 1,000 pages/s; migrate at 10 s; stopped from 14 s to 16 s (no reports); the migration ends at 16 s.
    const samples = [...steady(0, 14_000, 1000), ...steady(16_000, 25_000, 1000, 14_000)];
    const writes = guestWrites(samples, { migrateMs: 10_000, endMs: 16_000 });
    expect(writes.beforePagesPerS).toBeCloseTo(1000, 9);
    expect(writes.afterPagesPerS).toBeCloseTo(1000, 9);
    expect(writes.duringPagesPerS).toBeCloseTo(4000 / 6, 9);
    expect(writes.duringPagesPerS).toBeLessThan(writes.beforePagesPerS);
  });

  it('takes BEFORE_S seconds before `migrate` and AFTER_S after the end', () => {
    // A rate that changes outside the windows does not count.
    const samples = [
      ...steady(0, 6_000, 500),
      ...steady(6_100, 20_000, 2000, 3000 + 200),
    ];
    const migrateMs = 6_100 + BEFORE_S * 1000;
    const endMs = migrateMs + 4000;
    const writes = guestWrites(samples, { migrateMs, endMs });
    expect(writes.beforePagesPerS).toBeCloseTo(2000, 6);
    expect(writes.afterPagesPerS).toBeCloseTo(2000, 6);
    expect(endMs + AFTER_S * 1000).toBeLessThanOrEqual(20_000);
  });

  it('counts no writes while QEMU had the VM stopped, even in a window shorter than a report period', () => {
    // 1,000 pages/s, reports every 100 ms; a zero-copy move: migrate at 1044, STOP at 1050, RESUME at 1071;
    // the guest catches up what it owed at its first tick after the RESUME (the report at 1100).
    const samples = [...steady(0, 1000, 1000), ...steady(1100, 2000, 1000, 1100)];
    const window = { migrateMs: 1044, endMs: 1071 };
    const blind = writesRate(samples, window.migrateMs, window.endMs);
    const pause = { fromMs: 1050, toMs: 1071 };
    const aware = writesRate(samples, window.migrateMs, window.endMs, pause);
    // Between the reports at 1000 and 1100 the guest ran 79 ms and wrote 100 pages; 6 of those ms lie in the window.
    expect(aware).toBeCloseTo(((100 / 79) * 6 * 1000) / 27, 6);
    expect(blind).toBeCloseTo(1000, 6);
    expect(aware).toBeLessThan(blind ?? 0);
    // Away from the pause nothing changes.
    expect(writesRate(samples, 1200, 1900, pause)).toBeCloseTo(1000, 6);
    expect(pagesAt(samples, 1060, pause)).toBe(pagesAt(samples, 1071, pause));
  });

  it('names the window its reports do not cover', () => {
    const samples = steady(0, 12_000, 1000);
    expect(() => guestWrites(samples, { migrateMs: 5_000, endMs: 10_000 })).toThrow(/^the guest's write reports do not cover the after window 10000\.\.13000 ms \(they span 0\.\.12000\)$/);
    expect(() => guestWrites(samples, { migrateMs: 2_000, endMs: 3_000 })).toThrow(/before window/);
    expect(() => guestWrites([], { migrateMs: 5_000, endMs: 6_000 })).toThrow(/none arrived/);
  });
});
