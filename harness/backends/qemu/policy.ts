/**
 * Xen 4.2.2's pre-copy termination rule (libxc xc_domain_save.c), as a pure
 * decision, and the QEMU migration parameters that emulate each policy.
 *
 * QEMU cannot be told "stop now" directly; the engine forces the final
 * stop-and-copy by raising downtime-limit to its maximum, so that at the next
 * convergence check (every 100 ms, or right after a bitmap sync) everything
 * still dirty fits the "allowed downtime" and QEMU suspends the guest and
 * sends the rest. Xen's third rule (fewer than 50 pages sent+skipped in the
 * last pass) maps onto QEMU's own convergence with a downtime-limit equal to
 * the time 50 pages take on the link.
 */
import { PAGE_BYTES } from '../../units.ts';
import type { MigrationPolicy } from './types.ts';

export const XEN_MAX_ITERS = 29; // DEF_MAX_ITERS
export const XEN_MAX_FACTOR = 3; // DEF_MAX_FACTOR
export const XEN_MIN_DIRTY_PAGES = 50;

/** QEMU's upper bound for downtime-limit (MAX_MIGRATE_DOWNTIME, 2000 s). */
export const QEMU_MAX_DOWNTIME_LIMIT_MS = 2_000_000;
export const QEMU_DEFAULT_DOWNTIME_LIMIT_MS = 300;

export interface PassState {
  /** Live passes finished so far (a MIGRATION_PASS event with pass = n means n - 1 finished). */
  passesCompleted: number;
  /** Bytes of RAM sent so far (query-migrate ram.transferred). */
  bytesTransferred: number;
  guestBytes: number;
}

export type PolicyDecision = { action: 'continue' } | { action: 'force-final'; reason: string };

export function xenPolicyDecision(state: PassState): PolicyDecision {
  if (state.passesCompleted >= XEN_MAX_ITERS) {
    return { action: 'force-final', reason: `${state.passesCompleted} live passes (Xen DEF_MAX_ITERS ${XEN_MAX_ITERS})` };
  }
  if (state.bytesTransferred > XEN_MAX_FACTOR * state.guestBytes) {
    return {
      action: 'force-final',
      reason: `${(state.bytesTransferred / state.guestBytes).toFixed(2)}x guest memory sent (Xen DEF_MAX_FACTOR ${XEN_MAX_FACTOR})`,
    };
  }
  return { action: 'continue' };
}

export interface MigrationParameters {
  'max-bandwidth': number;
  'downtime-limit': number;
}

/**
 * Parameters for the source. max-bandwidth is always set explicitly, well
 * above the link (QEMU 7.2 otherwise caps the stream at 128 MiB/s).
 */
export function migrationParameters(policy: MigrationPolicy, linkBytesPerS: number): MigrationParameters {
  const maxBandwidth = Math.max(Math.round(linkBytesPerS * 10), 1024 * 1024 * 1024);
  if (policy === 'qemu') return { 'max-bandwidth': maxBandwidth, 'downtime-limit': QEMU_DEFAULT_DOWNTIME_LIMIT_MS };
  const fiftyPagesMs = Math.ceil(((XEN_MIN_DIRTY_PAGES * PAGE_BYTES) / linkBytesPerS) * 1000);
  return { 'max-bandwidth': maxBandwidth, 'downtime-limit': Math.max(1, fiftyPagesMs) };
}
