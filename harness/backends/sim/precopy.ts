import { DirtyLog } from './dirty-log.ts';
import type { PrecopyPolicy } from './parameters.ts';

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
 * Xen 4.2.2's pre-copy loop (xc_domain_save.c, brief §4), advanced batch by
 * batch: each pass walks the frames due in frame order, peeks the dirty log
 * before every batch and skips frames already written again (except in the
 * final pass), sends up to `batchPages` frames, and after each live pass
 * decides whether to suspend the guest for the final pass.
 */
export function simulatePrecopy(input: PrecopyInput): PrecopyResult {
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
        : sendRegionPages(dueIndices, dirtyLog, policy.batchPages, policy.skipRedirtied && !lastPass, sender);
    dataPagesSent += sent;
    // Pass 1 also walks the frames beyond the guest's pages: batched, counted, without data.
    const dataless = pass === 1 ? sendDatalessFrames(p2mFrames - guestPages, policy.batchPages, input.pageHeaderBytes, sender) : 0;
    totalSent += sent + dataless;
    passes.push({ pass, sentPages: sent + dataless, skippedPages: skipped, startS: passStart, endS: sender.t, final: lastPass });
    if (lastPass) break;
    if (sender.t > timeoutS) {
      throw new Error(
        `migration timed out after ${Math.round(timeoutS)} s (${pass} passes, ${totalSent} pages sent: the dirty rate keeps the policy from converging); cancelled`,
      );
    }

    dirtyLog.advanceTo(sender.t);
    dueIndices = dirtyLog.clean();
    // QEMU's ram.transferred against the guest's bytes, in pages' worth.
    const sentSoFar = policy.sentFactorCounts === 'pages' ? totalSent : sender.streamBytes / input.pageBytes;
    stopReason =
      finalPassReason(pass, sent + dataless + skipped, sentSoFar, p2mFrames, policy) ??
      convergedReason(dueIndices.length * sender.pageBytesOnWire, streamBytesPerS, input.downtimeLimitS);
    if (stopReason !== undefined) lastPass = true;
  }

  const finalPass = passes[passes.length - 1]!;
  return {
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
  const bytes = sender.batchHeaderBytes + pages * sender.pageBytesOnWire + outsideRegionPages * outsideRegionBytes;
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
    const bytes = sender.batchHeaderBytes + batch * headerBytes;
    const duration = bytes / sender.streamBytesPerS;
    sender.onStream?.(sender.t, sender.t + duration, bytes);
    sender.t += duration;
    sender.streamBytes += bytes;
  }
  return Math.max(0, frames);
}

/** Later passes: the region pages dirtied during the previous pass. */
function sendRegionPages(
  due: Int32Array,
  log: DirtyLog,
  batchPages: number,
  skipRedirtied: boolean,
  sender: BatchSender,
): PassCounts {
  let sent = 0;
  let skipped = 0;
  let next = 0;
  while (next < due.length) {
    if (skipRedirtied) log.advanceTo(sender.t);
    let batch = 0;
    while (batch < batchPages && next < due.length) {
      const index = due[next++]!;
      if (skipRedirtied && log.isDirty(index)) {
        skipped++;
        continue;
      }
      batch++;
    }
    if (batch > 0) sendBatch(sender, batch);
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
