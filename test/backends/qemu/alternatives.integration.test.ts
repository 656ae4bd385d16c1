/**
 * The alternatives experiment's schemes as real migrations of small guests
 * on this machine (root and the Debian packages of install-packages.sh
 * needed; skipped with the reason otherwise). 128 MB guests dirtying 64 MB;
 * the assertions are orderings and structure, never durations. About five
 * minutes in total under TCG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAccel } from '../../../harness/backends/qemu/accel.ts';
import { TimeoutError } from '../../../harness/backends/qemu/errors.ts';
import { migrateOnce, type LiveMigration, type MigrationHooks } from '../../../harness/backends/qemu/engine.ts';
import { GuestStateStore } from '../../../harness/backends/qemu/guest-state.ts';
import { DEFAULT_IMAGE_DIR, buildImage, parseReadyLine } from '../../../harness/backends/qemu/image.ts';
import type { MigrationInfo } from '../../../harness/backends/qemu/migration.ts';
import { checkPrerequisites } from '../../../harness/backends/qemu/prereq.ts';
import type { Accel, QemuMigrationRequest } from '../../../harness/backends/qemu/types.ts';
import { leftovers } from './leftovers.ts';

const skipReason = checkPrerequisites();
const imageDir = process.env['VMBEAM_QEMU_IMAGE_DIR'] ?? DEFAULT_IMAGE_DIR;
const MB = 1024 * 1024;
let store: GuestStateStore | undefined;
/** Nothing of a migration may remain; the store's saved guest (one registered teardown) stays until the end. */
const nothingLeft = (): string[] => leftovers({ savedGuests: true, registered: store === undefined ? 0 : 1 });

describe.skipIf(skipReason !== null)(
  `alternatives on the real testbed${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
  { timeout: 180_000 },
  () => {
    let accel: Accel = 'tcg';
    const request = (overrides: Partial<QemuMigrationRequest>): QemuMigrationRequest => ({
      system: 'postcopy',
      memoryMb: 128,
      dirtyRegionMb: 64,
      dirtyPagesPerS: 1000,
      policy: 'xen',
      accel,
      timeoutMs: 150_000,
      imageDir,
      ...overrides,
    });
    const migrate = (req: QemuMigrationRequest, hooks: MigrationHooks = {}) => migrateOnce(req, hooks, store);

    beforeAll(async () => {
      store = new GuestStateStore(buildImage(imageDir));
      accel = (await detectAccel('auto', imageDir)).accel;
    }, 120_000);

    afterAll(async () => {
      await store?.dispose();
      store = undefined;
    });

    it('post-copy switches after the first pass, resumes the guest at the destination before the last page arrives, and pauses it briefly', async () => {
      let filledMb = Number.NaN;
      const measured = await migrate(request({ system: 'postcopy' }), {
        afterCompletion: ({ readyLine }: LiveMigration) => {
          filledMb = parseReadyLine(readyLine)?.filledMb ?? Number.NaN;
        },
      });
      expect(measured.scheme).toBe('postcopy');
      expect(measured.switchedToPostcopy).toBe(true);
      // The guest ran at the destination while the rest of its memory came after it.
      expect(measured.resumedAfterS).toBeLessThan(measured.endedAfterS);
      expect(measured.guestDowntimeS).toBeGreaterThan(0);
      expect(measured.guestDowntimeS).toBeLessThan(measured.endedAfterS - measured.resumedAfterS);
      expect(measured.networkBytes).toBeGreaterThanOrEqual(filledMb * MB);
      // The guest wrote before, during and after, and (migrateOnce checks it) lost none of it.
      expect(measured.guestWrites?.beforePagesPerS).toBeGreaterThan(0);
      expect(measured.guestWrites?.afterPagesPerS).toBeGreaterThan(0);
      expect(nothingLeft()).toEqual([]);
    });

    it('auto-converge throttles a guest that out-dirties the link: it writes less while it migrates than the pause alone explains', async () => {
      const throttles: number[] = [];
      const measured = await migrate(request({ system: 'auto-converge', dirtyPagesPerS: 4000 }), {
        onMigrating: ({ source }: LiveMigration) => {
          source.qmp.onEvent((event) => {
            if (event.event !== 'MIGRATION_PASS') return;
            source.qmp
              .execute<MigrationInfo>('query-migrate')
              .then((info) => throttles.push(info['cpu-throttle-percentage'] ?? 0))
              .catch(() => undefined);
          });
        },
      });
      expect(Math.max(0, ...throttles)).toBeGreaterThan(0);
      const writes = measured.guestWrites;
      expect(writes).toBeDefined();
      if (writes === undefined) return;
      const pausedShare = (measured.guestDowntimeS ?? 0) / measured.endedAfterS;
      expect(writes.duringPagesPerS).toBeLessThan(writes.beforePagesPerS * (1 - pausedShare));
      expect(writes.afterPagesPerS).toBeGreaterThan(writes.duringPagesPerS);
      expect(nothingLeft()).toEqual([]);
    });

    it('auto chooses zero-copy for a destination on the same host that can open the guest memory', async () => {
      const measured = await migrate(request({ system: 'auto' }));
      const decision = measured.autoDecision;
      expect(decision?.system).toBe('vmbeam');
      expect(decision?.sourceBootId).toBe(decision?.destinationBootId);
      expect(decision?.sharedMemoryReachable).toBe(true);
      expect(decision?.reason).toMatch(/zero-copy/);
      expect(measured.scheme).toBe('vmbeam');
      expect(measured.networkBytes).toBeLessThan(2 * MB); // the guest's 128 MB did not cross
      expect(nothingLeft()).toEqual([]);
    });

    it('auto treats a destination that cannot open the guest memory as remote and runs a pre-copy scheme', async () => {
      let filledMb = Number.NaN;
      const measured = await migrate(request({ system: 'auto', hideSharedMemory: true }), {
        afterCompletion: ({ readyLine }: LiveMigration) => {
          filledMb = parseReadyLine(readyLine)?.filledMb ?? Number.NaN;
        },
      });
      const decision = measured.autoDecision;
      expect(decision?.sourceBootId).toBe(decision?.destinationBootId);
      expect(decision?.sharedMemoryReachable).toBe(false);
      expect(decision?.system).not.toBe('vmbeam');
      expect(decision?.reason).toMatch(/memory is hidden from the destination/);
      expect(decision?.linkPagesPerS).toBeGreaterThan(0);
      expect(decision?.dirtyPagesPerS).toBeGreaterThan(0);
      expect(measured.scheme).toBe(decision?.system);
      expect(measured.networkBytes).toBeGreaterThanOrEqual(filledMb * MB);
      expect(nothingLeft()).toEqual([]);
    });

    it('refuses to hide the shared memory from a zero-copy destination, which needs it', async () => {
      await expect(migrate(request({ system: 'vmbeam', hideSharedMemory: true }))).rejects.toThrow(/^vmbeam maps the source's shared memory/);
    });

    it('turns a post-copy migration that lost its destination into an error with QEMU\'s reason, without hanging', async () => {
      const failure = migrate(request({ system: 'postcopy' }), {
        onMigrating: async ({ destination }: LiveMigration) => {
          // Mid-post-copy: the guest runs at the destination, part of its memory still at the source.
          await destination.qmp.waitForEvent('RESUME', { timeoutMs: 120_000 });
          await destination.process.kill('SIGKILL');
        },
      });
      await expect(failure).rejects.toThrow(/^migration failed: postcopy-paused/);
      expect(nothingLeft()).toEqual([]);
    });

    it('carries multifd pages through the SSH tunnel on its channels', async () => {
      let multifdBytes = 0;
      const measured = await migrate(request({ system: 'multifd' }), {
        afterCompletion: async ({ source }: LiveMigration) => {
          const info = await source.qmp.execute<{ ram?: { 'multifd-bytes'?: number } }>('query-migrate');
          multifdBytes = info.ram?.['multifd-bytes'] ?? 0;
        },
      });
      expect(measured.scheme).toBe('multifd');
      expect(multifdBytes).toBeGreaterThan(32 * MB);
      expect(nothingLeft()).toEqual([]);
    });

    it('gives up on a pre-copy that cannot converge, as not having converged, and leaves nothing behind', async () => {
      const failure = migrate(request({ system: 'precopy-qemu', dirtyPagesPerS: 8000, giveUpAfterS: 20 }));
      await expect(failure).rejects.toBeInstanceOf(TimeoutError);
      await expect(failure).rejects.toThrow(/^migration did not converge within 20 s \(precopy-qemu, 128 MB, 8000 pages\/s: still active after \d+ passes\); cancelled$/);
      expect(nothingLeft()).toEqual([]);
    });
  },
);
