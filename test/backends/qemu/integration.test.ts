/**
 * Real migrations of small guests on this machine (root and the Debian
 * packages of install-packages.sh needed; skipped with the reason otherwise).
 * About a minute in total under TCG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAccel } from '../../../harness/backends/qemu/accel.ts';
import { TimeoutError } from '../../../harness/backends/qemu/errors.ts';
import { migrateOnce, type LiveMigration } from '../../../harness/backends/qemu/engine.ts';
import { GuestStateStore } from '../../../harness/backends/qemu/guest-state.ts';
import { DEFAULT_IMAGE_DIR, buildImage, parseDirtyingLine, parseReadyLine } from '../../../harness/backends/qemu/image.ts';
import { checkPrerequisites } from '../../../harness/backends/qemu/prereq.ts';
import type { Accel, QemuMigrationRequest } from '../../../harness/backends/qemu/types.ts';
import { leftovers } from './leftovers.ts';

const skipReason = checkPrerequisites();
const imageDir = process.env['VMBEAM_QEMU_IMAGE_DIR'] ?? DEFAULT_IMAGE_DIR;
const MB = 1024 * 1024;
/** One store for the file, as in a sweep: the 128 MB guest is booted once. */
let store: GuestStateStore | undefined;
let storeDisposed = false;

/** Everything a testbed of this process could leave behind (`states`: also the saved guests). */
function leftoversHere(states: 'with saved guests' | 'without' = 'without'): string[] {
  const holding = states === 'without' && store !== undefined && !storeDisposed;
  return leftovers({ savedGuests: states === 'without', registered: holding ? 1 : 0 });
}

describe.skipIf(skipReason !== null)(
  `real migrations${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
  { timeout: 120_000 },
  () => {
    let accel: Accel = 'tcg';
    const request = (overrides: Partial<QemuMigrationRequest>): QemuMigrationRequest => ({
      system: 'vmbeam',
      memoryMb: 128,
      dirtyRegionMb: 0,
      dirtyPagesPerS: 0,
      policy: 'xen',
      accel,
      timeoutMs: 90_000,
      imageDir,
      ...overrides,
    });

    beforeAll(async () => {
      store = new GuestStateStore(buildImage(imageDir));
      accel = (await detectAccel('auto', imageDir)).accel;
    }, 120_000);

    afterAll(async () => {
      await store?.dispose();
    });

    const migrate = (req: QemuMigrationRequest, hooks: Parameters<typeof migrateOnce>[1] = {}) =>
      migrateOnce(req, hooks, store);

    it('zero-copy completes, only device state crosses the link, guest runs at the destination', async () => {
      const statuses: string[] = [];
      const measurement = await migrate(request({ system: 'vmbeam' }), {
        afterCompletion: async ({ source, destination }: LiveMigration) => {
          statuses.push((await destination.qmp.execute<{ status: string }>('query-status')).status);
          statuses.push((await source.qmp.execute<{ status: string }>('query-status')).status);
        },
      });
      expect(statuses).toEqual(['running', 'postmigrate']);
      expect(measurement.guestMemoryMb).toBe(128);
      expect(measurement.networkBytes).toBeLessThan(2 * MB); // 128 MB of RAM did not cross
      // Orderings only: how long each step takes depends on the machine's load
      // (guestTimes' arithmetic is tested in migration.test.ts). QEMU's
      // total-time stops when the source has written ~130 KB of device state
      // into its socket, which can take under its 1 ms resolution.
      expect(measurement.downtimeS).toBeGreaterThanOrEqual(0);
      expect(measurement.downtimeS).toBeLessThanOrEqual(measurement.migrationTimeS);
      expect(measurement.resumedAfterS).toBeGreaterThan(0);
      expect(measurement.guestDowntimeS).toBeGreaterThanOrEqual(0);
      expect(measurement.guestDowntimeS).toBeLessThanOrEqual(measurement.resumedAfterS);
      expect(measurement.qemuVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(leftoversHere()).toEqual([]);
    });

    it('pre-copy over SSH at xen-nest completes and sends at least the touched memory', async () => {
      let filledMb = Number.NaN;
      const statuses: string[] = [];
      const measurement = await migrate(request({ system: 'xen-nest' }), {
        afterCompletion: async ({ source, destination, readyLine }: LiveMigration) => {
          filledMb = parseReadyLine(readyLine)?.filledMb ?? Number.NaN;
          statuses.push((await destination.qmp.execute<{ status: string }>('query-status')).status);
          statuses.push((await source.qmp.execute<{ status: string }>('query-status')).status);
        },
      });
      expect(statuses).toEqual(['running', 'postmigrate']);
      expect(filledMb).toBeGreaterThan(30);
      expect(measurement.networkBytes).toBeGreaterThanOrEqual(filledMb * MB);
      // 100 Mbit/s bounds the time from below (load can only add to it): the guest
      // runs at the destination only once the touched memory crossed at line rate.
      expect(measurement.resumedAfterS).toBeGreaterThanOrEqual((filledMb * MB * 8) / 100e6);
      expect(measurement.iterations).toBeGreaterThanOrEqual(2);
      expect(measurement.resumedAfterS).toBeGreaterThanOrEqual(measurement.migrationTimeS);
      expect(measurement.guestDowntimeS).toBeGreaterThan(0);
      expect(measurement.guestDowntimeS).toBeLessThan(measurement.resumedAfterS);
      expect(measurement.pagesSent).toBeGreaterThanOrEqual((128 * MB) / 4096 - 1024);
      expect(measurement.cpuTimeS).toBeGreaterThan(0);
      expect(measurement.bandwidthSeries.length).toBeGreaterThanOrEqual(5);
      const busy = measurement.bandwidthSeries.slice(1, -1).map((point) => point.mbps);
      for (const mbps of busy) expect(mbps).toBeLessThan(110);
      expect(leftoversHere()).toEqual([]);
    });

    it('reports a timeout, cancels, and leaves nothing behind', async () => {
      const migration = migrate(request({ system: 'xen-nest-nocipher', timeoutMs: 1 }));
      await expect(migration).rejects.toThrow(/^migration timed out after 1 ms \(xen-nest-nocipher, 128 MB\); cancelled$/);
      await expect(migration).rejects.toBeInstanceOf(TimeoutError);
      expect(leftoversHere()).toEqual([]);
    });

    it('fails with QEMU error text when the destination dies, and leaves nothing behind', async () => {
      const failure = migrate(request({ system: 'xen-nest-nocipher' }), {
        onMigrating: async ({ destination }: LiveMigration) => {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await destination.process.kill('SIGKILL');
        },
      });
      await expect(failure).rejects.toThrow(/migration failed: .+/);
      expect(leftoversHere()).toEqual([]);
    });

    it('restores the saved guest for each migration and dirties at the rate it is told', async () => {
      let filledMb = Number.NaN;
      let dirtying = parseDirtyingLine('');
      const measurement = await migrate(
        request({ system: 'xen-blanket-nocipher', dirtyRegionMb: 32, dirtyPagesPerS: 2000 }),
        {
          afterCompletion: ({ readyLine, dirtyingLine }: LiveMigration) => {
            filledMb = parseReadyLine(readyLine)?.filledMb ?? Number.NaN;
            dirtying = parseDirtyingLine(dirtyingLine);
          },
        },
      );
      expect(dirtying).toEqual({ dirtyMb: 32, rate: 2000 });
      // The restored memory is filled, and re-dirtied pages are sent again.
      expect(measurement.networkBytes).toBeGreaterThan((filledMb + 4) * MB);
      expect(measurement.iterations).toBeGreaterThan(4);
    });

    it('removes the saved guests when the store is disposed', async () => {
      const saved = leftoversHere('with saved guests');
      expect(saved.some((path) => path.includes('-states-'))).toBe(true);
      expect(saved.some((path) => path.includes('-template-'))).toBe(true);
      await store?.dispose();
      storeDisposed = true;
      expect(leftoversHere('with saved guests')).toEqual([]);
    });
  },
);
