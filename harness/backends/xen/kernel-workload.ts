/**
 * The workload of a guest without a network (guest.kernelWorkload in the
 * testbed file, e.g. the local testbed's busybox guest): its parameters go
 * on the kernel command line of each `xl create`, and the guest says it is
 * ready on its console, which xenconsoled logs in the source guest Dom0.
 * Pure: command builders only.
 */

/** What the guest's /init program prints once its memory is filled (local/guest/workload.c). */
export const READY_LINE = 'vmbeam-ready';
export const ERROR_LINE = 'vmbeam-error';

export interface KernelWorkload {
  readonly extra: string;
  readonly consoleLog: string;
}

export interface WorkloadPlan {
  readonly fillMb: number;
  readonly dirtyMb: number;
  readonly dirtyPagesPerS: number;
}

/** The `extra=` key of `xl create` (xl parses the value as config syntax, hence the quotes). */
export function extraArgument(workload: KernelWorkload, plan: WorkloadPlan): string {
  const params = [
    `vmbeam.fill_mb=${Math.max(0, Math.floor(plan.fillMb))}`,
    `vmbeam.dirty_mb=${Math.max(0, Math.floor(plan.dirtyMb))}`,
    `vmbeam.dirty_pages_per_s=${Math.max(0, Math.round(plan.dirtyPagesPerS))}`,
  ];
  return `extra="${[workload.extra, ...params].filter((part) => part !== '').join(' ')}"`;
}

/** Removes the previous boot's console log, so the ready line found next is this boot's. */
export function clearLogCommand(workload: KernelWorkload): string[] {
  return ['rm', '-f', workload.consoleLog];
}

/**
 * Waits on the source (one ssh session, not one per poll) for the ready or
 * error line; exits 0 when ready, 1 on the guest's error line, 124 on timeout.
 */
export function waitReadyCommand(workload: KernelWorkload, timeoutS: number): string[] {
  const log = workload.consoleLog;
  const script =
    `until grep -q -e ${READY_LINE} -e ${ERROR_LINE} "$0" 2>/dev/null; do sleep 0.2; done; ` +
    `grep -e ${READY_LINE} -e ${ERROR_LINE} "$0"; grep -q ${READY_LINE} "$0"`;
  return ['timeout', String(Math.ceil(timeoutS)), 'sh', '-c', script, log];
}
