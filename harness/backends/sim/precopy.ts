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

export type StopReason = 'max-iterations' | 'min-remaining' | 'max-factor';

export interface PrecopyResult {
  readonly migrationTimeS: number;
  readonly downtimeS: number;
  readonly passes: readonly PassRecord[];
  readonly pagesSent: number;
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
  let totalSent = 0;
  let lastPass = false;
  let stopReason: StopReason | undefined;
  // Pass 1 sends every frame; later passes send the region pages the last CLEAN returned.
  let dueIndices: Int32Array | undefined;

  for (let pass = 1; ; pass++) {
    const passStart = sender.t;
    const { sent, skipped } =
      dueIndices === undefined
        ? sendAllFrames(guestPages, dirtyLog, policy.batchPages, policy.skipRedirtied, sender)
        : sendRegionPages(dueIndices, dirtyLog, policy.batchPages, policy.skipRedirtied && !lastPass, sender);
    totalSent += sent;
    passes.push({ pass, sentPages: sent, skippedPages: skipped, startS: passStart, endS: sender.t, final: lastPass });
    if (lastPass) break;

    stopReason = finalPassReason(pass, sent + skipped, totalSent, guestPages, policy);
    if (stopReason !== undefined) lastPass = true;
    dirtyLog.advanceTo(sender.t);
    dueIndices = dirtyLog.clean();
  }

  const finalPass = passes[passes.length - 1]!;
  return {
    migrationTimeS: sender.t + input.finalStageS,
    downtimeS: finalPass.endS - finalPass.startS + input.finalStageS,
    passes,
    pagesSent: totalSent,
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

function sendBatch(sender: BatchSender, pages: number): void {
  const bytes = sender.batchHeaderBytes + pages * sender.pageBytesOnWire;
  const duration = bytes / sender.streamBytesPerS;
  sender.onStream?.(sender.t, sender.t + duration, bytes);
  sender.t += duration;
  sender.streamBytes += bytes;
}

/** Pass 1: every frame is due; only region frames can have been written again. */
function sendAllFrames(
  guestPages: number,
  log: DirtyLog,
  batchPages: number,
  skipRedirtied: boolean,
  sender: BatchSender,
): PassCounts {
  const region = log.region;
  let sent = 0;
  let skipped = 0;
  let frame = 0;
  let regionIndex = 0;
  while (frame < guestPages) {
    log.advanceTo(sender.t);
    let batch = 0;
    while (batch < batchPages && frame < guestPages) {
      // Frames outside the region cannot have been written: take them in one step.
      const nextRegionFrame = regionIndex < region.length ? region[regionIndex]! : guestPages;
      const untouched = Math.min(batchPages - batch, nextRegionFrame - frame);
      if (untouched > 0) {
        batch += untouched;
        frame += untouched;
        continue;
      }
      if (skipRedirtied && log.isDirty(regionIndex)) skipped++;
      else batch++;
      regionIndex++;
      frame++;
    }
    if (batch > 0) sendBatch(sender, batch);
    sent += batch;
  }
  return { sent, skipped };
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

/** The check after each live pass; the first reason that holds, in the source's order. */
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
