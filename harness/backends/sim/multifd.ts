/**
 * QEMU 7.2's multifd on a path: the pages go out over several channels,
 * each its own connection, in packets of up to 128 pages with a 320-byte
 * header and an 8-byte offset per page (migration/multifd.h). Channels add
 * parallelism only where a stage runs once per channel; whatever the
 * channels share, they split. Pure.
 */
import { streamBytesPerS } from './derived.ts';
import type { PathStage, SimParameters } from './parameter-types.ts';

export interface MultifdPath {
  /** Stream bytes per second the channels achieve together. */
  readonly streamBytesPerS: number;
  /** A page's bytes on the stream: data, its offset, its share of the packet header. */
  readonly pageBytesOnWire: number;
  /** Stream bytes queued in the channels when the guest stops; they drain before it resumes. */
  readonly inFlightBytesAtStop: number;
}

/**
 * `serial` paths run every stage on one vCPU, the channels' included, so
 * they share it and the rate stays the path's. `pipelined` paths run each
 * stage in processes of its own: the cipher stage scales with the cipher
 * processes the channels get (one ssh tunnel: one process), every other
 * stage (the link) is shared.
 */
export function multifdPath(stages: readonly PathStage[], carrierInFlightBytes: number, parameters: SimParameters): MultifdPath {
  const multifd = parameters.qemuSchemes.multifd;
  const pageBytesOnWire = parameters.pageBytes + multifd.pageOffsetBytes + multifd.packetHeaderBytes / multifd.packetPages;
  // Each further channel is its own forwarded ssh channel: its window and its local socket queue too.
  const inFlightBytesAtStop = carrierInFlightBytes + (multifd.channels - 1) * multifd.channelQueueBytes;
  if (parameters.pathComposition === 'serial') {
    return { streamBytesPerS: streamBytesPerS(stages, parameters), pageBytesOnWire, inFlightBytesAtStop };
  }
  const parallelCiphers = Math.max(1, Math.min(multifd.channels, multifd.cipherProcesses));
  const stageMbps = stages.map((stage) => parameters.stageThroughputMbps[stage] * (stage === 'sshCipher' ? parallelCiphers : 1));
  return { streamBytesPerS: (Math.min(...stageMbps) * 1e6) / 8, pageBytesOnWire, inFlightBytesAtStop };
}
