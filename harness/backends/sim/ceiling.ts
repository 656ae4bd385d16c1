import type { PrecopyPolicy } from './parameter-types.ts';

/**
 * The longest any migration can take under a Xen-style policy at a
 * constant stream rate, whatever the workload does (docs/model.md §10,
 * R3): pass 1 sends at most every page, every later pass at most the
 * workload's region; the loop stops after the pass that takes the total
 * past `maxSentFactor` times the guest, or after `maxIterations` passes;
 * the final pass, the downtime, sends at most the region. Each page is costed with a
 * whole batch header, so this is an upper bound.
 */
export function precopyCeiling(input: {
  readonly guestPages: number;
  readonly regionPages: number;
  readonly policy: PrecopyPolicy;
  readonly pageBytes: number;
  readonly pageHeaderBytes: number;
  readonly batchHeaderBytes: number;
  readonly streamBytesPerS: number;
  readonly setupS: number;
  readonly finalStageS: number;
  /** Xen's p2m_size when larger than the guest (R4); pass 1 counts it whole. */
  readonly p2mFrames?: number;
}): { readonly maxPagesSent: number; readonly maxMigrationTimeS: number; readonly maxDowntimeS: number } {
  const { guestPages: n, regionPages: r, policy } = input;
  const p2m = Math.max(n, input.p2mFrames ?? n);
  const byIterations = n + (policy.maxIterations - 1) * r;
  // Pass 1 counts p2m frames (n with data); the factor rule allows (factor - 1) p2m more, plus the pass that crosses it.
  const byFactor = n + (policy.maxSentFactor - 1) * p2m + r;
  const live = r === 0 ? n : Math.min(byIterations, byFactor);
  const maxPagesSent = live + r;
  const bytesPerPage = input.pageBytes + input.pageHeaderBytes + input.batchHeaderBytes;
  const datalessBytes = (p2m - n) * (input.pageHeaderBytes + input.batchHeaderBytes);
  return {
    maxPagesSent,
    maxMigrationTimeS: input.setupS + (maxPagesSent * bytesPerPage + datalessBytes) / input.streamBytesPerS + input.finalStageS,
    // The final pass sends at most what the region can hold dirty (n for an idle guest's empty pass is 0).
    maxDowntimeS: (r * bytesPerPage) / input.streamBytesPerS + input.finalStageS,
  };
}
