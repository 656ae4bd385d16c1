/**
 * The link profiles: which rate, transport and copy mode each system's link
 * has (the ONE place where rates live), and the tbf arithmetic that follows
 * from a rate. Pure data, no `ip` or `tc`: the simulator's host profile
 * derives its link stages from it without pulling in the plumbing
 * (links.ts).
 */
import type { PaperSystemName } from '../../systems.ts';

export type TransportKind = 'ssh' | 'tcp';

export interface LinkProfile {
  system: PaperSystemName;
  /** Shaped rate of the link, both directions. */
  rateMbitPerS: number;
  /** How the migration stream crosses the link. */
  transport: TransportKind;
  /** Zero-copy: guest RAM is a shared file and only device state crosses the link. */
  zeroCopy: boolean;
  description: string;
}

const XEN_NEST_MBIT = 100;
const XEN_BLANKET_MBIT = 300;
const PHYSICAL_MBIT = 1000;

export const LINK_PROFILES: Readonly<Record<PaperSystemName, LinkProfile>> = {
  vmbeam: {
    system: 'vmbeam',
    rateMbitPerS: XEN_NEST_MBIT,
    transport: 'tcp',
    zeroCopy: true,
    description: 'zero-copy over the Xen-Nest link; only device state crosses it, unencrypted (no data leaves the host)',
  },
  'xen-nest': {
    system: 'xen-nest',
    rateMbitPerS: XEN_NEST_MBIT,
    transport: 'ssh',
    zeroCopy: false,
    description: 'pre-copy through SSH over an emulated-NIC-like 100 Mbit/s link',
  },
  'xen-nest-nocipher': {
    system: 'xen-nest-nocipher',
    rateMbitPerS: XEN_NEST_MBIT,
    transport: 'tcp',
    zeroCopy: false,
    description: 'pre-copy over plain TCP on the Xen-Nest link (stands in for the SSH none cipher)',
  },
  'xen-blanket': {
    system: 'xen-blanket',
    rateMbitPerS: XEN_BLANKET_MBIT,
    transport: 'ssh',
    zeroCopy: false,
    description: 'pre-copy through SSH over a paravirtual-like 300 Mbit/s link',
  },
  'xen-blanket-nocipher': {
    system: 'xen-blanket-nocipher',
    rateMbitPerS: XEN_BLANKET_MBIT,
    transport: 'tcp',
    zeroCopy: false,
    description: 'pre-copy over plain TCP on the Xen-Blanket link (stands in for the SSH none cipher)',
  },
  physical: {
    system: 'physical',
    rateMbitPerS: PHYSICAL_MBIT,
    transport: 'ssh',
    zeroCopy: false,
    description: 'pre-copy through SSH over gigabit Ethernet between physical hosts',
  },
};

export function linkRateBytesPerS(profile: LinkProfile): number {
  return (profile.rateMbitPerS * 1_000_000) / 8;
}

/**
 * A nominal rate for an unshaped veth pair (calibration runs), only used to
 * set QEMU's max-bandwidth well above anything the host can push through.
 */
export const UNSHAPED_LINK_BYTES_PER_S = 10_000_000_000 / 8;

/** tbf's latency parameter: how long a packet may wait in the qdisc before it is dropped. */
export const TBF_LATENCY_MS = 50;

/** tbf's bucket: 4 ms at line rate, at least 64 KiB so a GSO packet fits in one go. */
export function tbfBurstBytes(rateMbitPerS: number): number {
  return Math.max(64 * 1024, Math.round(((rateMbitPerS * 1_000_000) / 8) * 0.004));
}

/** Bytes the tbf qdisc holds before it drops: rate x latency + bucket (tc-tbf(8), `limit`). */
export function tbfQueueBytes(rateMbitPerS: number): number {
  return ((rateMbitPerS * 1_000_000) / 8) * (TBF_LATENCY_MS / 1000) + tbfBurstBytes(rateMbitPerS);
}
