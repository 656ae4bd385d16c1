/**
 * Fig. 7 on this machine: a real guest serving httpd under httperf while it
 * migrates (root and the packages of install-packages.sh needed; skipped
 * with the reason otherwise). About a minute under TCG.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectAccel } from '../../../../harness/backends/qemu/accel.ts';
import { activeTestbeds } from '../../../../harness/backends/qemu/cleanup.ts';
import { AbortedError } from '../../../../harness/backends/qemu/errors.ts';
import { DEFAULT_IMAGE_DIR, buildImage } from '../../../../harness/backends/qemu/image.ts';
import { listNamespaces } from '../../../../harness/backends/qemu/links.ts';
import { checkPrerequisites } from '../../../../harness/backends/qemu/prereq.ts';
import { processTree } from '../../../../harness/backends/qemu/sampler.ts';
import type { Accel } from '../../../../harness/backends/qemu/types.ts';
import { AFTER_S, BEFORE_S, measureServiceOnce, type QemuServiceRequest } from '../../../../harness/backends/qemu/web/service.ts';

const skipReason = checkPrerequisites();
const imageDir = process.env['VMBEAM_QEMU_IMAGE_DIR'] ?? DEFAULT_IMAGE_DIR;

/** Everything a Fig. 7 testbed of this process could leave behind. */
function leftovers(): string[] {
  const found: string[] = [];
  found.push(...listNamespaces().filter((ns) => ns.startsWith(`vmb${process.pid}r`)).map((ns) => `netns ${ns}`));
  found.push(...readdirSync('/dev/shm').filter((f) => f.startsWith(`vmbeam-${process.pid}-`)).map((f) => `/dev/shm/${f}`));
  found.push(...readdirSync(tmpdir()).filter((f) => f.startsWith(`vmbeam-qemu-${process.pid}-`)).map((f) => `${tmpdir()}/${f}`));
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (/qemu|sshd|^ssh$|httperf/.test(comm)) found.push(`process ${pid} ${comm}`);
    } catch {
      // exited meanwhile
    }
  }
  if (activeTestbeds() > 0) found.push(`${activeTestbeds()} registered testbed(s)`);
  return found;
}

describe.skipIf(skipReason !== null)(
  `web service during a real migration${skipReason === null ? '' : ` (skipped: ${skipReason})`}`,
  { timeout: 150_000 },
  () => {
    let accel: Accel = 'tcg';
    const request = (overrides: Partial<QemuServiceRequest>): QemuServiceRequest => ({
      system: 'vmbeam',
      memoryMb: 128,
      policy: 'xen',
      accel,
      timeoutMs: 60_000,
      imageDir,
      ...overrides,
    });

    beforeAll(async () => {
      buildImage(imageDir);
      accel = (await detectAccel('auto', imageDir)).accel;
    }, 120_000);

    it('keeps serving across a zero-copy move: same address, the bridge learns the new port, nothing left behind', async () => {
      const statuses: string[] = [];
      const measured = await measureServiceOnce(request({}), {
        afterResume: async ({ source, destination }) => {
          statuses.push((await destination.qmp.execute<{ status: string }>('query-status')).status);
          statuses.push((await source.qmp.execute<{ status: string }>('query-status')).status);
        },
      });
      expect(statuses).toEqual(['running', 'postmigrate']);
      // QEMU's self-announce after the incoming migration moved the guest's MAC to the destination's port.
      expect(measured.guestPortAfterResume).toBe('dst0');
      expect(measured.capacity.capacityRps).toBeGreaterThan(1);
      expect(measured.offeredRps).toBeLessThan(measured.capacity.capacityRps);
      // Orderings only: how many replies/s a TCG guest serves, and how long the
      // move takes, depend on the machine's load (the rates' arithmetic is
      // tested on serviceTimeline in timeline.test.ts, the times' on guestTimes).
      expect(measured.normalRps).toBeGreaterThan(0);
      expect(measured.migrationTimeS).toBeGreaterThan(0);
      expect(measured.downtimeS).toBeGreaterThanOrEqual(0);
      expect(measured.downtimeS).toBeLessThan(measured.migrationTimeS);
      expect(measured.series.length).toBeGreaterThanOrEqual(BEFORE_S + AFTER_S);
      expect(measured.series.some((bin) => bin.migrating)).toBe(true);
      // Served from the destination: the last seconds have replies again.
      const last = measured.series.slice(-3).map((bin) => bin.rps);
      for (const rps of last) expect(rps).toBeGreaterThan(0);
      expect(measured.failedRequests).toBeGreaterThanOrEqual(0);
      expect(measured.failuresTotal).toBeGreaterThanOrEqual(measured.failedRequests);
      expect(measured.httperf.replies).toBeGreaterThan(0);
      expect(measured.httperf.replies).toBeLessThanOrEqual(measured.httperf.connections);
      expect(leftovers()).toEqual([]);
    });

    it('removes the bridged network, taps and client namespace when aborted', async () => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 2000);
      const run = measureServiceOnce(request({ signal: abort.signal }));
      await expect(run).rejects.toThrow(/abort/);
      await expect(run).rejects.toBeInstanceOf(AbortedError);
      clearTimeout(timer);
      expect(leftovers()).toEqual([]);
    });
  },
);
