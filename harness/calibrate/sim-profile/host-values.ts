/**
 * The numbers the host profile's entries are made of: constants of the code
 * the testbed runs, and values derived from the measured testbed.
 */
import { linkAt, type HostProfile, type MeasuredTestbed } from '../profile.ts';
import { LINK_PROFILES } from '../../backends/qemu/link-profiles.ts';
import type { PathStage } from '../../backends/sim/parameter-types.ts';
import { PAPER_PARAMETERS } from '../../backends/sim/parameters.ts';
import type { PaperSystemName } from '../../systems.ts';
import { PRECOPY_SYSTEMS, type PrecopySystem } from './difference.ts';

export const LINK_STAGES = ['emulatedNic', 'blanketIpc', 'gigabitEthernet'] as const satisfies readonly PathStage[];

// ---- constants of the code the testbed runs ------------------------------------------

/** OpenSSH frames 32 KiB of channel data with about 40 bytes (length, padding, MAC, channel header). */
export const SSH_FRAMING = 1 + 40 / 32768;
/** OpenSSH's channel window and Linux's default socket buffer: the simulator's constants (sim/parameters.ts), which post-copy and multifd use too. */
export { SSH_CHANNEL_WINDOW_BYTES, UNIX_SOCKET_BUFFER_BYTES } from '../../backends/sim/parameters.ts';
/** QEMU 7.2 ram.c: each page record starts with an 8-byte offset|flags word; a zero page adds 1 byte (save_zero_page_to_file). */
export const QEMU_ZERO_PAGE_BYTES = 8 + 1;
/** Linux: a 64-byte struct page per 4 KiB frame is what the kernel keeps back of each MB it is given. */
export const AVAILABLE_MB_PER_GUEST_MB = 1 - 64 / 4096;
/** harness/backends/qemu/guest/workload.c: fills MemAvailable less max(8 MB, MemAvailable / 32). */
export const WORKLOAD_MARGIN_MIN_MB = 8;
export const WORKLOAD_MARGIN_DIVISOR = 32;
/** QEMU's buffer_is_zero reads each page once: half the memory traffic of a copy. */
export const ZERO_CHECK_COPIES_PER_BYTE = 0.5;
/** Source QEMU writes each page into its socket; the destination reads it into its buffer and copies it into guest RAM. */
export const QEMU_COPIES_PER_BYTE = 3;
/** ssh reads its unix socket and writes TCP; sshd reads TCP and writes the destination QEMU's socket. */
export const SSH_COPIES_PER_BYTE = 4;

// ---- derived host values --------------------------------------------------------------

export const mbps = (bytesPerS: number) => (bytesPerS * 8) / 1e6;

/** The cipher OpenSSH uses here: its default, chacha20-poly1305 (transport.ts sets no Ciphers); openssl speed where measured. */
export function sshCipherBytesPerS(profile: HostProfile): number {
  const { openssl } = profile.cipher;
  return openssl.status === 'measured' ? openssl.rates['chacha20-poly1305'].mean : profile.cipher.node['chacha20-poly1305'].mean;
}

/** The link stage each pre-copy system's path crosses (the same stage list in both profiles). */
function linkStageOf(system: PrecopySystem): (typeof LINK_STAGES)[number] {
  const stage = PAPER_PARAMETERS.precopyPaths[system].stages.find((candidate) => candidate !== 'sshCipher');
  if (stage === undefined || !(LINK_STAGES as readonly string[]).includes(stage)) throw new Error(`no link stage on the ${system} path`);
  return stage as (typeof LINK_STAGES)[number];
}

/** Each link stage's TCP payload rate on the testbed: the calibration's transfer over the link of the systems crossing it. */
export function linkStageMbps(testbed: MeasuredTestbed): Record<(typeof LINK_STAGES)[number], number> {
  const rates = {} as Record<(typeof LINK_STAGES)[number], number>;
  for (const system of PRECOPY_SYSTEMS) {
    const stage = linkStageOf(system);
    const payload = mbps(linkAt(testbed, LINK_PROFILES[system].rateMbitPerS).payloadBytesPerS.mean);
    if (rates[stage] !== undefined && rates[stage] !== payload) {
      throw new Error(`systems crossing ${stage} have different link rates in LINK_PROFILES`);
    }
    rates[stage] = payload;
  }
  return rates;
}

/** Interface bytes (out and in) per stream byte on a system's link, as measured, with SSH framing where the stream is tunnelled. */
export function wireFactor(testbed: MeasuredTestbed, system: PaperSystemName): number {
  const link = linkAt(testbed, LINK_PROFILES[system].rateMbitPerS);
  const perPayloadByte = link.txPerPayloadByte.mean + link.rxPerPayloadByte.mean;
  return LINK_PROFILES[system].transport === 'ssh' ? perPayloadByte * SSH_FRAMING : perPayloadByte;
}

/** Guest pages that held data at the calibration size: ram.normal less the pages an idle guest had to re-send. */
export function referenceDataPages(testbed: MeasuredTestbed): number {
  const run = testbed.precopyUnshaped;
  const guestPages = run.memoryMb * 256;
  const sent = run.normalPages.mean + run.zeroPages.mean;
  const resent = Math.max(0, sent - guestPages - testbed.zeroCopy.pagesSent.mean);
  return Math.round(run.normalPages.mean - resent);
}
