import { describe, expect, it } from 'vitest';
import { gaveUpSeconds, isGaveUp } from '../../../harness/experiment.ts';
import { MIGRATION_ENDS, endedMs, giveUpMessage, guestTimes } from '../../../harness/backends/qemu/migration.ts';
import { migrationLimit } from '../../../harness/backends/qemu/setup.ts';

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

describe('post-copy times', () => {
  it('ends when the destination has every page, after the guest resumed there', () => {
    const instants = { migrateMs: 1_000_000, stoppedMs: 1_009_000, resumedMs: 1_009_200, postcopyDoneMs: 1_011_500 };
    expect(endedMs(instants)).toBe(1_011_500);
    const times = guestTimes(instants);
    expect(times.migrationTimeS).toBeCloseTo(11.5, 9);
    expect(times.downtimeS).toBeCloseTo(0.2, 9);
  });

  it('ends at the RESUME for pre-copy', () => {
    expect(endedMs({ migrateMs: 0, stoppedMs: 10, resumedMs: 40 })).toBe(40);
  });

  it('stops waiting at postcopy-paused, from which the testbed never recovers', () => {
    expect([...MIGRATION_ENDS].sort()).toEqual(['cancelled', 'completed', 'failed', 'postcopy-paused']);
  });
});

describe('giving up on a migration', () => {
  it('says it did not converge within the limit, where it stood, and that it was cancelled: the experiment\'s give-up, as the runner knows it', () => {
    const info = { status: 'active', ram: { 'dirty-sync-count': 23 } };
    const message = giveUpMessage({ timeoutMs: 240_000, what: 'xbzrle, 256 MB, 8000 pages/s' }, info);
    expect(message).toBe('migration did not converge within 240 s (xbzrle, 256 MB, 8000 pages/s: still active after 23 passes); cancelled');
    expect(isGaveUp(message)).toBe(true);
    expect(gaveUpSeconds(message)).toBe(240);
  });

  it('names the throttle an auto-converge migration reached, and a post-copy that did not finish', () => {
    expect(giveUpMessage({ timeoutMs: 60_000, what: 'auto-converge, 128 MB' }, { status: 'active', 'cpu-throttle-percentage': 99 })).toBe(
      'migration did not converge within 60 s (auto-converge, 128 MB: still active, vCPU throttled 99 %); cancelled',
    );
    expect(giveUpMessage({ timeoutMs: 60_000, what: 'postcopy, 128 MB' }, { status: 'postcopy-active' })).toMatch(/^migration did not converge within 60 s \(postcopy, 128 MB: still postcopy-active\)/);
    expect(giveUpMessage({ timeoutMs: 60_000, what: 'postcopy, 128 MB' }, undefined)).toMatch(/status unknown/);
  });

  it("gives up at the experiment's limit when it is sooner than the backend's timeout, and says which it was", () => {
    expect(migrationLimit({ timeoutMs: 900_000, giveUpAfterS: 240 })).toEqual({ timeoutMs: 240_000, givingUp: true });
    expect(migrationLimit({ timeoutMs: 100_000, giveUpAfterS: 240 })).toEqual({ timeoutMs: 100_000, givingUp: false });
    expect(migrationLimit({ timeoutMs: 900_000 })).toEqual({ timeoutMs: 900_000, givingUp: false });
  });
});
