/**
 * QEMU 7.2's post-copy after the switch: the source stops the guest, syncs
 * the dirty bitmap, tells the destination which pages are stale (discard
 * ranges), sends the device state, and the guest resumes at the
 * destination (migration.c postcopy_start). Then the source pushes the
 * stale pages at the link's rate while the guest runs; a write to a stale
 * page faults and waits until that page arrives, sent next but behind the
 * bytes already queued (postcopy-ram.c, ram.c get_queued_page). Pure.
 */
import type { QemuSchemeParameters } from './parameter-types.ts';

type PostcopyParameters = QemuSchemeParameters['postcopy'];

/** Runs of consecutive frames: postcopy_each_send_discard sends one range per run of dirty pages. */
export function frameRuns(framesAscending: ArrayLike<number>): number {
  let runs = 0;
  for (let i = 0; i < framesAscending.length; i++) {
    if (i === 0 || framesAscending[i]! !== framesAscending[i - 1]! + 1) runs++;
  }
  return runs;
}

/** Stream bytes of the discard commands for `ranges` runs (savevm.c qemu_savevm_send_postcopy_ram_discard). */
export function discardBytes(ranges: number, parameters: PostcopyParameters): number {
  return ranges * parameters.discardRangeBytes + Math.ceil(ranges / parameters.discardRangesPerCommand) * parameters.discardCommandBytes;
}

/**
 * Pages a workload writing `pagesPerS` uniformly over `regionPages` manages
 * while `stalePages` of them are pushed at `pushPagesPerS`, each write to a
 * stale page stalling it `faultS`. The stale share falls linearly from
 * f0 = stale/region to 0 over T = stale/push; with share f a write costs
 * f * faultS on average, so the writer keeps min(r, 1 / (f * faultS)):
 *
 *   W = T * r                                   if f0 * faultS * r <= 1
 *   W = T / (f0 * faultS) * (1 + ln(f0 * faultS * r))   otherwise
 *
 * (the integral of min(r, 1 / (f0 u faultS)) over u from 0 to 1, times T).
 */
export function postcopyGuestWrites(options: {
  readonly pagesPerS: number;
  readonly regionPages: number;
  readonly stalePages: number;
  readonly pushPagesPerS: number;
  readonly faultS: number;
}): number {
  const { pagesPerS, regionPages, stalePages, pushPagesPerS, faultS } = options;
  if (pagesPerS <= 0 || stalePages <= 0 || regionPages <= 0) return 0;
  const pushS = stalePages / pushPagesPerS;
  const staleShare = Math.min(1, stalePages / regionPages);
  const stallsPerWrite = staleShare * faultS * pagesPerS;
  if (stallsPerWrite <= 1) return pushS * pagesPerS;
  return (pushS / (staleShare * faultS)) * (1 + Math.log(stallsPerWrite));
}

export interface PostcopyPhase {
  /** From the guest's stop to its resumption at the destination. */
  readonly downtimeS: number;
  /** Stream bytes of the discard commands. */
  readonly discardBytes: number;
  /** How long a write to a stale page waits: the queue ahead of the page, then the page. */
  readonly faultS: number;
  /** From the resumption until the last stale page arrived. */
  readonly pushS: number;
  /** Pages the workload wrote during the push. */
  readonly guestWrites: number;
}

/**
 * The phase after the switch. `dirtyFrames`: the stale pages, in frame
 * order. The stream's queue at the stop drains first (as pre-copy's final
 * pass waits for it), then the discards; the device state and the restart
 * are the path's final stage.
 */
export function postcopyPhase(options: {
  readonly dirtyFrames: ArrayLike<number>;
  readonly regionPages: number;
  readonly writePagesPerS: number;
  readonly streamBytesPerS: number;
  readonly pageBytesOnWire: number;
  readonly inFlightBytesAtStop: number;
  readonly finalStageS: number;
  readonly parameters: PostcopyParameters;
}): PostcopyPhase {
  const { streamBytesPerS, pageBytesOnWire } = options;
  const stale = options.dirtyFrames.length;
  const discard = discardBytes(frameRuns(options.dirtyFrames), options.parameters);
  const downtimeS = (options.inFlightBytesAtStop + discard) / streamBytesPerS + options.finalStageS;
  const faultS = (options.parameters.faultQueueBytes + pageBytesOnWire) / streamBytesPerS;
  const pushPagesPerS = streamBytesPerS / pageBytesOnWire;
  return {
    downtimeS,
    discardBytes: discard,
    faultS,
    pushS: stale / pushPagesPerS,
    guestWrites: postcopyGuestWrites({ pagesPerS: options.writePagesPerS, regionPages: options.regionPages, stalePages: stale, pushPagesPerS, faultS }),
  };
}
