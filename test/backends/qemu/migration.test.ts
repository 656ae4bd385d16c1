import { describe, expect, it } from 'vitest';
import { guestTimes } from '../../../harness/backends/qemu/migration.ts';

describe('guest-visible migration times', () => {
  it('runs from migrate to the destination RESUME, and the downtime from the source STOP to it', () => {
    const times = guestTimes({ migrateMs: 1_000_000, stoppedMs: 1_002_350, resumedMs: 1_002_500 });
    expect(times.migrationTimeS).toBeCloseTo(2.5, 9);
    expect(times.downtimeS).toBeCloseTo(0.15, 9);
  });

  it('has no downtime without a STOP event', () => {
    expect(guestTimes({ migrateMs: 0, stoppedMs: undefined, resumedMs: 40 })).toEqual({ migrationTimeS: 0.04, downtimeS: undefined });
  });
});
