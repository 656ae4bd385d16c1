export interface ZeroCopyInput {
  readonly guestPages: number;
  readonly setupS: number;
  readonly sharePerPageS: number;
  readonly releasePerPageS: number;
  readonly finalStageS: number;
}

export interface ZeroCopyResult {
  readonly migrationTimeS: number;
  readonly downtimeS: number;
  /** When the guest was suspended: sharing is over, the final stage begins. */
  readonly suspendS: number;
}

/**
 * VMBeam (brief §2): one pass shares every page with the destination while
 * the guest runs; its writes are visible at the destination at once, so
 * nothing is re-sent whatever the dirty rate. The final stage suspends the
 * guest, moves its device state, releases the source's mappings and resumes
 * it at the destination.
 */
export function simulateZeroCopy(input: ZeroCopyInput): ZeroCopyResult {
  const suspendS = input.setupS + input.guestPages * input.sharePerPageS;
  const downtimeS = input.finalStageS + input.guestPages * input.releasePerPageS;
  return { migrationTimeS: suspendS + downtimeS, downtimeS, suspendS };
}
