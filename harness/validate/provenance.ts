/**
 * Whether a measured qemu run and the host profile describe the same
 * testbed. A KVM run compared with a TCG profile (or another QEMU, host,
 * host kernel or guest kernel) is compared with the wrong costs; validate
 * says so in one line instead of reporting the difference as model error.
 * Pure.
 */
import type { HostProfile } from '../calibrate/profile.ts';
import type { RunInfo } from '../results/run-info.ts';

interface Difference {
  readonly what: string;
  readonly measured: string;
  readonly profile: string;
}

export function provenanceDifferences(profile: HostProfile, run: RunInfo): Difference[] {
  const differences: Difference[] = [];
  const compare = (what: string, measured: unknown, profiled: unknown) => {
    // A run.json from before a field was recorded cannot disagree on it.
    if (measured === undefined || measured === null || profiled === undefined || profiled === null) return;
    if (String(measured) !== String(profiled)) differences.push({ what, measured: String(measured), profile: String(profiled) });
  };
  const testbed = profile.testbed.status === 'measured' ? profile.testbed : undefined;
  compare('accelerator', run.backendInfo['accel'], testbed?.accel);
  compare('guest kernel', run.backendInfo['guestKernel'], testbed?.guestKernel);
  compare('QEMU', run.backendInfo['qemuVersion'], profile.machine.qemu);
  compare('host CPU', run.host?.cpuModel, profile.machine.cpuModel);
  compare('cores', run.host?.cores, profile.machine.cores);
  compare('host kernel', run.host?.kernel, profile.machine.kernel);
  return differences;
}

/** One line naming every difference, or undefined when there is none. */
export function provenanceWarning(profilePath: string, measuredDir: string, differences: readonly Difference[]): string | undefined {
  if (differences.length === 0) return undefined;
  const list = differences.map((d) => `${d.what} ${d.measured} (measured) vs ${d.profile} (profile)`).join(', ');
  return `warning: ${measuredDir} was not measured on the testbed ${profilePath} describes: ${list}; errors below mix model error with that difference (recalibrate with the run's settings)`;
}
