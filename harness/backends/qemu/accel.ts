/**
 * Accelerator choice. `auto`: if /dev/kvm exists, boot a small guest under
 * KVM and wait for its ready line; on failure or timeout (e.g. a host whose
 * /dev/kvm only runs PVM-built guests, where a stock kernel hangs) use TCG.
 */
import { existsSync } from 'node:fs';
import { buildImage } from './image.ts';
import { Testbed } from './testbed.ts';
import type { Accel } from './types.ts';
import { READY_LINE } from './image.ts';
import { launchVm, waitForConsoleLine } from './vm.ts';

export type AccelPreference = Accel | 'auto';

export interface AccelChoice {
  accel: Accel;
  /** Why, for run.json and the progress output. */
  reason: string;
}

export const KVM_PROBE_TIMEOUT_MS = 30_000;

const probeCache = new Map<string, AccelChoice>();

/** Boots a 128 MB idle guest under KVM (no namespaces) and reports whether it got ready. */
export async function probeKvm(imageDir: string, timeoutMs = KVM_PROBE_TIMEOUT_MS): Promise<AccelChoice> {
  const image = buildImage(imageDir);
  const testbed = new Testbed();
  try {
    const vm = await launchVm(
      {
        role: 'boot',
        accel: 'kvm',
        memoryMb: 128,
        image,
        sharedMemoryPath: undefined,
        qmpSocket: `${testbed.dir}/probe-qmp.sock`,
        serialLog: `${testbed.dir}/probe-serial.log`,
        controlSocket: `${testbed.dir}/probe-control.sock`,
      },
      undefined,
      testbed.track.bind(testbed),
    );
    testbed.qmpClients.push(vm.qmp);
    await waitForConsoleLine(vm, READY_LINE, timeoutMs);
    return { accel: 'kvm', reason: 'KVM guest booted' };
  } catch (error) {
    return { accel: 'tcg', reason: `KVM probe failed, using TCG: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await testbed.teardown();
  }
}

/**
 * Resolves `auto` (probing at most once per process and image directory);
 * `kvm` and `tcg` are taken as given.
 */
export async function detectAccel(preference: AccelPreference, imageDir: string): Promise<AccelChoice> {
  if (preference !== 'auto') return { accel: preference, reason: `--accel ${preference}` };
  if (!existsSync('/dev/kvm')) return { accel: 'tcg', reason: 'no /dev/kvm, using TCG' };
  const cached = probeCache.get(imageDir);
  if (cached !== undefined) return cached;
  const choice = await probeKvm(imageDir);
  probeCache.set(imageDir, choice);
  return choice;
}
