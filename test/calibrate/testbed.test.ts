/**
 * The testbed part of npm run calibrate, for real (root and the qemu
 * packages needed; skipped with the reason otherwise). About a minute under TCG.
 */
import { describe, expect, it } from 'vitest';
import { detectAccel } from '../../harness/backends/qemu/accel.ts';
import { activeTestbeds } from '../../harness/backends/qemu/cleanup.ts';
import { DEFAULT_IMAGE_DIR, buildImage } from '../../harness/backends/qemu/image.ts';
import { LINK_PROFILES } from '../../harness/backends/qemu/link-profiles.ts';
import { listNamespaces } from '../../harness/backends/qemu/links.ts';
import { checkPrerequisites } from '../../harness/backends/qemu/prereq.ts';
import { parseHostProfile } from '../../harness/calibrate/profile.ts';
import { calibrateTestbed } from '../../harness/calibrate/testbed.ts';
import { syntheticProfile } from './synthetic-profile.ts';

const skipReason = checkPrerequisites();
const imageDir = process.env['VMBEAM_QEMU_IMAGE_DIR'] ?? DEFAULT_IMAGE_DIR;

describe.skipIf(skipReason !== null)(`calibrateTestbed${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('measures the fixed costs and every link rate with statistics, and leaves nothing behind', { timeout: 240_000 }, async () => {
    buildImage(imageDir);
    const { accel } = await detectAccel('auto', imageDir);
    const testbed = await calibrateTestbed({ accel, policy: 'xen', samples: 2, imageDir, timeoutMs: 120_000 });
    // It is what the host profile's schema accepts.
    expect(parseHostProfile({ ...syntheticProfile(), testbed }, 'calibrated').testbed).toEqual(testbed);
    expect(testbed.zeroCopy.pagesSent.mean).toBeGreaterThan(0);
    expect(testbed.zeroCopy.networkBytes.mean).toBeLessThan(8 * 1024 * 1024);
    const guestPages = 128 * 256;
    const precopy = testbed.precopyUnshaped;
    expect(precopy.normalPages.mean + precopy.zeroPages.mean).toBeGreaterThanOrEqual(guestPages);
    expect(precopy.zeroPages.mean).toBeGreaterThan(0);
    expect(precopy.guest.filledMb.mean).toBeLessThan(precopy.guest.availableMb.mean);
    // An idle guest still ticks (timers, TCG's main loop), but takes less than its one vCPU.
    expect(testbed.runningGuestCpuPerS.samples).toBe(2);
    expect(testbed.runningGuestCpuPerS.mean).toBeGreaterThanOrEqual(0);
    expect(testbed.runningGuestCpuPerS.mean).toBeLessThan(1);
    expect(testbed.qmpReadyS.samples).toBe(4);
    const rates = [...new Set(Object.values(LINK_PROFILES).map((profile) => profile.rateMbitPerS))].sort((a, b) => a - b);
    expect(testbed.links.map((link) => link.rateMbitPerS)).toEqual(rates);
    for (const link of testbed.links) {
      const shapedBytesPerS = (link.rateMbitPerS * 1e6) / 8;
      // tbf caps the rate (headers count against it); how close TCP comes depends on the load.
      expect(link.payloadBytesPerS.mean, `${link.rateMbitPerS} Mbit/s`).toBeGreaterThan(0);
      expect(link.payloadBytesPerS.mean / shapedBytesPerS, `${link.rateMbitPerS} Mbit/s`).toBeLessThan(1);
      expect(link.txPerPayloadByte.mean).toBeGreaterThanOrEqual(1);
    }
    expect(listNamespaces().filter((ns) => ns.startsWith(`vmb${process.pid}r`))).toEqual([]);
    expect(activeTestbeds()).toBe(0);
  });
});
