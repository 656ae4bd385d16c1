import { DirtyLog } from './dirty-log.ts';
import type { PrecopyPolicy } from './parameter-types.ts';

/** Receives every piece of the migration stream with the time it was on the link. */
export type StreamSink = (startS: number, endS: number, streamBytes: number) => void;

export interface PrecopyInput {
  readonly guestPages: number;
  /** The dirty log the guest's workload writes into; its clock starts at `setupS`. */
  readonly dirtyLog: DirtyLog;
  readonly streamBytesPerS: number;
  readonly setupS: number;
  readonly finalStageS: number;
  readonly policy: PrecopyPolicy;
  readonly pageBytes: number;
  /** Each page's pfn/type word. */
  readonly pageHeaderBytes: number;
  /** Each batch's page count. */
  readonly batchHeaderBytes: number;
  /**
   * Pass 1's mean bytes on the stream per page outside the workload's
   * region, where some pages are zero and go out as short records. Absent:
   * every page goes out in full.
   */
  readonly outsideRegionPageBytesOnWire?: number;
  /**
   * Frames Xen walks and counts (`p2m_size`, xc_domain_maximum_gpfn + 1),
   * when more than the guest's pages: an HVM guest's p2m reaches its
   * special pages below 4 GiB (R4). Pass 1 puts the extra frames in its
   * batches as 8-byte pfn/type words without data (XTAB), counts them as
   * sent, and the max-factor rule compares with this. Absent: the guest's
   * pages (a PV guest).
   */
  readonly p2mFrames?: number;
  /** QEMU's convergence rule (see PrecopyPathParameters.downtimeLimitS). Absent: Xen's rules alone. */
  readonly downtimeLimitS?: number;
  readonly onStream?: StreamSink;
  /** After each live pass's sync, before the stop rule: where QEMU's auto-converge throttles the guest. */
  readonly onSync?: (sync: SyncPoint) => void;
  /**
   * Stream bytes of a region page sent after pass 1 (`final`: the guest is
   * stopped), where not every page goes out in full (XBZRLE deltas).
   * Absent: a full page with its header.
   */
  readonly resentPageBytes?: (regionIndex: number, tS: number, final: boolean) => number;
}

/** What the sender saw at the bitmap sync that ends a live pass. */
export interface SyncPoint {
  readonly pass: number;
  readonly tS: number;
  /** Pages written since the previous sync: they are due in the next pass. */
  readonly dirtyPages: number;
  /** Stream bytes sent since the migration began (QEMU's ram.transferred). */
  readonly streamBytes: number;
}

export interface PassRecord {
  readonly pass: number;
  readonly sentPages: number;
  readonly skippedPages: number;
  readonly startS: number;
  readonly endS: number;
  readonly final: boolean;
}

export type StopReason = 'max-iterations' | 'min-remaining' | 'max-factor' | 'downtime-limit';

export interface PrecopyResult {
  readonly kind: 'completed';
  readonly migrationTimeS: number;
  readonly downtimeS: number;
  readonly passes: readonly PassRecord[];
  /** Pages sent with their data. */
  readonly pagesSent: number;
  /** What Xen's `total_sent` counts: pages sent plus the frames without data (R4). */
  readonly framesCounted: number;
  readonly streamBytes: number;
  readonly stopReason: StopReason;
}

/**
 * Post-copy's hand-over: pre-copy stopped after its live passes without a
 * final pass; the pages still dirty are fetched after the guest resumes at
 * the destination.
 */
export interface PrecopyHandover {
  readonly kind: 'handover';
  readonly passes: readonly PassRecord[];
  readonly pagesSent: number;
  readonly streamBytes: number;
  /** When the source stopped the guest to switch over. */
  readonly switchS: number;
  /** Region indices still dirty at the switch, in frame order. */
  readonly dirtyIndices: Int32Array;
}

/** A migration still running at the policy's timeout, cancelled. */
export class PrecopyTimeout extends Error {
  constructor(
    readonly timeoutS: number,
    readonly passes: number,
    readonly framesSent: number,
  ) {
    super(
      `migration timed out after ${Math.round(timeoutS)} s (${passes} passes, ${framesSent} pages sent: the dirty rate keeps the policy from converging); cancelled`,
    );
  }
}

/**
 * Xen 4.2.2's pre-copy loop (xc_domain_save.c, brief §4), advanced batch by
 * batch: each pass walks the frames due in frame order, peeks the dirty log
 * before every batch and skips frames already written again (except in the
 * final pass), sends up to `batchPages` frames, and after each live pass
 * decides whether to suspend the guest for the final pass. With the QEMU
 * policy (no peek, no caps, a downtime limit) the same loop is QEMU's.
 */
export function simulatePrecopy(input: PrecopyInput): PrecopyResult {
  const result = runPrecopy(input, Number.POSITIVE_INFINITY);
  if (result.kind === 'handover') throw new Error('pre-copy handed over without being asked to');
  return result;
}

/**
 * Post-copy (QEMU's migrate-start-postcopy after `livePasses` passes): the
 * loop as above, but where the stop rule would go on after `livePasses`
 * live passes, the guest stops and the dirty pages are handed over. A guest
 * whose dirty pages fit the downtime limit by then completes as pre-copy
 * (migration_iteration_run completes before it considers post-copy).
 */
export function simulatePrecopyThenHandover(input: PrecopyInput, livePasses: number): PrecopyResult | PrecopyHandover {
  return runPrecopy(input, livePasses);
}

function runPrecopy(input: PrecopyInput, handoverAfterPasses: number): PrecopyResult | PrecopyHandover {
  const { guestPages, dirtyLog, policy, streamBytesPerS } = input;
  const passes: PassRecord[] = [];
  const sender: BatchSender = {
    t: input.setupS,
    streamBytes: 0,
    streamBytesPerS,
    onStream: input.onStream,
    pageBytesOnWire: input.pageBytes + input.pageHeaderBytes,
    batchHeaderBytes: input.batchHeaderBytes,
  };
  const outsideRegionBytes = input.outsideRegionPageBytesOnWire ?? sender.pageBytesOnWire;
  const timeoutS = policy.timeoutS ?? Number.POSITIVE_INFINITY;
  const p2mFrames = Math.max(guestPages, input.p2mFrames ?? guestPages);
  let totalSent = 0;
  let dataPagesSent = 0;
  let lastPass = false;
  let stopReason: StopReason | undefined;
  // Pass 1 sends every frame; later passes send the region pages the last CLEAN returned.
  let dueIndices: Int32Array | undefined;

  for (let pass = 1; ; pass++) {
    const passStart = sender.t;
    const { sent, skipped } =
      dueIndices === undefined
        ? sendAllFrames(guestPages, dirtyLog, policy.batchPages, policy.skipRedirtied, sender, outsideRegionBytes)
        : sendRegionPages(dueIndices, dirtyLog, policy.batchPages, policy.skipRedirtied && !lastPass, sender, resent(input, lastPass));
    dataPagesSent += sent;
    // Pass 1 also walks the frames beyond the guest's pages: batched, counted, without data.
    const dataless = pass === 1 ? sendDatalessFrames(p2mFrames - guestPages, policy.batchPages, input.pageHeaderBytes, sender) : 0;
    totalSent += sent + dataless;
    passes.push({ pass, sentPages: sent + dataless, skippedPages: skipped, startS: passStart, endS: sender.t, final: lastPass });
    if (lastPass) break;
    if (sender.t > timeoutS) throw new PrecopyTimeout(timeoutS, pass, totalSent);

    dirtyLog.advanceTo(sender.t);
    dueIndices = dirtyLog.clean();
    input.onSync?.({ pass, tS: sender.t, dirtyPages: dueIndices.length, streamBytes: sender.streamBytes });
    // QEMU's ram.transferred against the guest's bytes, in pages' worth.
    const sentSoFar = policy.sentFactorCounts === 'pages' ? totalSent : sender.streamBytes / input.pageBytes;
    stopReason =
      finalPassReason(pass, sent + dataless + skipped, sentSoFar, p2mFrames, policy) ??
      convergedReason(dueIndices.length * sender.pageBytesOnWire, streamBytesPerS, input.downtimeLimitS);
    if (stopReason !== undefined) lastPass = true;
    else if (pass >= handoverAfterPasses) {
      return { kind: 'handover', passes, pagesSent: dataPagesSent, streamBytes: sender.streamBytes, switchS: sender.t, dirtyIndices: dueIndices };
    }
  }

  const finalPass = passes[passes.length - 1]!;
  return {
    kind: 'completed',
    migrationTimeS: sender.t + input.finalStageS,
    downtimeS: finalPass.endS - finalPass.startS + input.finalStageS,
    passes,
    pagesSent: dataPagesSent,
    framesCounted: totalSent,
    streamBytes: sender.streamBytes,
    stopReason: stopReason!,
  };
}

interface BatchSender {
  t: number;
  streamBytes: number;
  readonly streamBytesPerS: number;
  readonly onStream: StreamSink | undefined;
  readonly pageBytesOnWire: number;
  readonly batchHeaderBytes: number;
}

interface PassCounts {
  readonly sent: number;
  readonly skipped: number;
}

function sendBatch(sender: BatchSender, pages: number, outsideRegionPages = 0, outsideRegionBytes = 0): void {
  sendBytes(sender, sender.batchHeaderBytes + pages * sender.pageBytesOnWire + outsideRegionPages * outsideRegionBytes);
}

function sendBytes(sender: BatchSender, bytes: number): void {
  const duration = bytes / sender.streamBytesPerS;
  sender.onStream?.(sender.t, sender.t + duration, bytes);
  sender.t += duration;
  sender.streamBytes += bytes;
}

/**
 * Pass 1: every frame is due; only region frames can have been written
 * again. Frames outside the region cost `outsideRegionBytes` each on the
 * stream (in full, or less where zero pages go out as short records).
 */
function sendAllFrames(
  guestPages: number,
  log: DirtyLog,
  batchPages: number,
  skipRedirtied: boolean,
  sender: BatchSender,
  outsideRegionBytes: number,
): PassCounts {
  const region = log.region;
  let sent = 0;
  let skipped = 0;
  let frame = 0;
  let regionIndex = 0;
  while (frame < guestPages) {
    log.advanceTo(sender.t);
    let batch = 0;
    let untouchedInBatch = 0;
    while (batch < batchPages && frame < guestPages) {
      // Frames outside the region cannot have been written: take them in one step.
      const nextRegionFrame = regionIndex < region.length ? region[regionIndex]! : guestPages;
      const untouched = Math.min(batchPages - batch, nextRegionFrame - frame);
      if (untouched > 0) {
        batch += untouched;
        untouchedInBatch += untouched;
        frame += untouched;
        continue;
      }
      if (skipRedirtied && log.isDirty(regionIndex)) skipped++;
      else batch++;
      regionIndex++;
      frame++;
    }
    if (batch > 0) {
      if (outsideRegionBytes === sender.pageBytesOnWire) sendBatch(sender, batch);
      else sendBatch(sender, batch - untouchedInBatch, untouchedInBatch, outsideRegionBytes);
    }
    sent += batch;
  }
  return { sent, skipped };
}

/**
 * Frames with no page behind them (an HVM guest's p2m hole up to its
 * special pages): xc_domain_save puts them in batches like any frame, the
 * mapping fails, and only their pfn/type word (XTAB) goes out; the batch
 * still counts them into `sent_this_iter` (xc_domain_save.c at
 * RELEASE-4.2.2, lines 1279-1283 and 1483). They are never dirtied.
 */
function sendDatalessFrames(frames: number, batchPages: number, headerBytes: number, sender: BatchSender): number {
  for (let left = frames; left > 0; left -= batchPages) {
    const batch = Math.min(batchPages, left);
    sendBytes(sender, sender.batchHeaderBytes + batch * headerBytes);
  }
  return Math.max(0, frames);
}

type PageBytes = (regionIndex: number, tS: number) => number;

function resent(input: PrecopyInput, final: boolean): PageBytes | undefined {
  const cost = input.resentPageBytes;
  return cost === undefined ? undefined : (index, tS) => cost(index, tS, final);
}

/** Later passes: the region pages dirtied during the previous pass, each costing `pageBytes` where given. */
function sendRegionPages(
  due: Int32Array,
  log: DirtyLog,
  batchPages: number,
  skipRedirtied: boolean,
  sender: BatchSender,
  pageBytes?: PageBytes,
): PassCounts {
  let sent = 0;
  let skipped = 0;
  let next = 0;
  while (next < due.length) {
    if (skipRedirtied) log.advanceTo(sender.t);
    let batch = 0;
    let bytes = sender.batchHeaderBytes;
    while (batch < batchPages && next < due.length) {
      const index = due[next++]!;
      if (skipRedirtied && log.isDirty(index)) {
        skipped++;
        continue;
      }
      if (pageBytes !== undefined) bytes += pageBytes(index, sender.t);
      batch++;
    }
    if (batch > 0) {
      if (pageBytes === undefined) sendBatch(sender, batch);
      else sendBytes(sender, bytes);
    }
    sent += batch;
  }
  return { sent, skipped };
}

/**
 * The check after each live pass; the first reason that holds, in the
 * source's order. `totalSent` is in pages, or for a policy that counts
 * stream bytes, in those bytes over a full page's bytes.
 */
export function finalPassReason(
  pass: number,
  sentPlusSkipped: number,
  totalSent: number,
  guestPages: number,
  policy: PrecopyPolicy,
): StopReason | undefined {
  if (pass >= policy.maxIterations) return 'max-iterations';
  if (sentPlusSkipped < policy.minRemainingPages) return 'min-remaining';
  if (totalSent > guestPages * policy.maxSentFactor) return 'max-factor';
  return undefined;
}

/**
 * QEMU 7.2's convergence (migration_iteration_run): after a bitmap sync,
 * complete once what is dirty fits the downtime limit at the measured
 * bandwidth (`pending_size < threshold_size`, threshold = bandwidth x
 * downtime-limit), or nothing is dirty.
 */
export function convergedReason(dirtyBytes: number, bytesPerS: number, downtimeLimitS: number | undefined): StopReason | undefined {
  if (downtimeLimitS === undefined) return undefined;
  return dirtyBytes === 0 || dirtyBytes < bytesPerS * downtimeLimitS ? 'downtime-limit' : undefined;
}
