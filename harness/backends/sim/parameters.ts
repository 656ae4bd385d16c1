/**
 * Every constant of the simulator, each with its unit in its name and its
 * source:
 *   - "Xen 4.2.2"       a public constant of libxc's xc_domain_save.c (brief §4);
 *   - "public"          a public hardware or protocol fact;
 *   - "calibration"     fitted to the calibration statements of Figs. 2 and 3
 *                       (brief §5): either read off one statement directly,
 *                       or "calibration (fit)", a least-squares fit of the
 *                       logarithms of all the Fig. 2(a) and 3 statements at
 *                       once (fit.ts, `npm run fit`; a test keeps these
 *                       values at its optimum); results/sim/REPORT.md lists
 *                       the residual of each statement;
 *   - "assumption"      a stated modelling choice, not fitted to anything.
 * Nothing here is fitted to Figs. 4-7.
 */
import type { SystemName } from '../../systems.ts';

/** public: x86 page size. */
export const PAGE_BYTES = 4096;

/** Xen 4.2.2 pre-copy policy (xc_domain_save.c). */
export const XEN_PRECOPY_POLICY = {
  /** DEF_MAX_ITERS: at most 29 live passes, then the final pass. */
  maxIterations: 29,
  /** DEF_MIN_REMAINING: stop when a pass sent+skipped fewer pages than this. */
  minRemainingPages: 50,
  /** DEF_MAX_FACTOR: stop once more than this many times the guest's pages were sent. */
  maxSentFactor: 3,
  /** MAX_BATCH_SIZE: pages per batch; the dirty bitmap is peeked before each batch. */
  batchPages: 1024,
  /** Frames written again since the last CLEAN are skipped in live passes (the `to_skip` peek). */
  skipRedirtied: true,
} as const;

export interface PrecopyPolicy {
  readonly maxIterations: number;
  readonly minRemainingPages: number;
  readonly maxSentFactor: number;
  readonly batchPages: number;
  readonly skipRedirtied: boolean;
}

/** Xen 4.2.2: each batch is preceded by its page count, an `unsigned int`. */
export const BATCH_HEADER_BYTES = 4;
/** Xen 4.2.2: each page carries its pfn/type word, an `unsigned long` on x86-64. */
export const PAGE_HEADER_BYTES = 8;

/**
 * public: bytes counted on the interface per byte of SSH payload. TCP over
 * Ethernet at MTU 1500 with timestamps carries 1448 payload bytes in a
 * 1514-byte frame; SSH adds about 40 bytes of length, padding and MAC to
 * each 32 KiB packet.
 */
export const WIRE_BYTES_PER_STREAM_BYTE = (1514 / 1448) * (1 + 40 / 32768);

/**
 * assumption: `xl migrate` sends the domain configuration before memory
 * (a few KiB) and the vCPU context, device-model state and trailing records
 * in the final stage (a few hundred KiB). Their transfer time is part of
 * the calibrated fixed costs below.
 */
export const SETUP_RECORD_BYTES = 4 * 1024;
export const FINAL_STATE_BYTES = 256 * 1024;

/**
 * Stages a pre-copy stream crosses on the sending guest Dom0's single vCPU.
 * The stages run one after another on that vCPU (encryption in the SSH
 * client, then a synchronous trap into the emulated NIC, or a grant copy
 * through the Blanket back-end), so a path's throughput is
 * 1 / sum(1 / stage throughput).
 */
export const STAGE_THROUGHPUT_MBPS = {
  /** calibration (fit): SSH (aes128-ctr, the OpenSSH default of the time) in a guest Dom0. */
  sshCipher: 575,
  /** calibration (fit): the cloud VM's emulated NIC (QEMU in the cloud Dom0), Xen-Nest's bottleneck. */
  emulatedNic: 117,
  /** calibration (fit): Blanket front-end to back-end through grant tables in the cloud Dom0. */
  blanketIpc: 639,
  /** public: TCP payload rate of gigabit Ethernet, 1000 Mbit/s x 1448 / 1538. */
  gigabitEthernet: 941,
} as const;

export type PathStage = keyof typeof STAGE_THROUGHPUT_MBPS;

/** calibration (fit): `xl migrate` start-up (SSH session, target domain creation) before pass 1. */
export const PRECOPY_SETUP_S = 1.7;

export interface PrecopyPathParameters {
  readonly stages: readonly PathStage[];
  /**
   * calibration (Fig. 2b): suspend, state records and resume at the target.
   * The brief states the downtime of each system relative to VMBeam's 0.6 s
   * and calls Xen-Blanket's excess unexplained, so each system has its own.
   */
  readonly finalStageS: number;
}

const VMBEAM_DOWNTIME_S = 0.6;
const XEN_NEST_DOWNTIME_S = VMBEAM_DOWNTIME_S * 1.27;
/** Midpoint of "32 % to 76 % longer than Xen-Nest". */
const XEN_BLANKET_DOWNTIME_S = XEN_NEST_DOWNTIME_S * 1.54;

export const PRECOPY_PATHS: Readonly<Record<Exclude<SystemName, 'vmbeam'>, PrecopyPathParameters>> = {
  'xen-nest': { stages: ['sshCipher', 'emulatedNic'], finalStageS: XEN_NEST_DOWNTIME_S },
  'xen-blanket': { stages: ['sshCipher', 'blanketIpc'], finalStageS: XEN_BLANKET_DOWNTIME_S },
  /** calibration: "Xen-Nest's downtime shrank by up to 0.14 s" with the none cipher. */
  'xen-nest-nocipher': { stages: ['emulatedNic'], finalStageS: XEN_NEST_DOWNTIME_S - 0.14 },
  /** calibration: "Xen-Blanket's grew by up to 0.2 s" with the none cipher. */
  'xen-blanket-nocipher': { stages: ['blanketIpc'], finalStageS: XEN_BLANKET_DOWNTIME_S + 0.2 },
  /** assumption: the brief gives no downtime between physical hosts; same Xen final stage as Xen-Nest. */
  physical: { stages: ['sshCipher', 'gigabitEthernet'], finalStageS: XEN_NEST_DOWNTIME_S },
};

export const ZERO_COPY = {
  /** calibration (fit): VMBeam's fixed start-up (session, target domain, sharing set-up). */
  setupS: 4.43,
  /** calibration (fit): cost to share one guest page with the destination through the nested hypervisors. */
  sharePerPageS: 10.45e-6,
  /** assumption: releasing the source's mapping is a batched p2m update, far cheaper than sharing. */
  releasePerPageS: 0.05e-6,
  /** calibration (Fig. 2b): VMBeam's 0.6 s downtime at 4 GB, less the release of 1 Mi pages. */
  finalStageS: VMBEAM_DOWNTIME_S - 0.05e-6 * 1024 * 256,
} as const;

/**
 * assumption: the dirtied region is spread uniformly over the guest's
 * physical pages (a long-running guest's allocator hands out scattered
 * frames) rather than one contiguous block; the sender scans pages in frame
 * order. This seed draws that layout; one layout serves every repetition.
 */
export const GUEST_LAYOUT_SEED = 0x5eed;

/**
 * CPU accounting (Fig. 4, a validation figure: nothing here is fitted to it).
 * The paper sums the CPU use of the two cloud VMs (each guest Dom0 and
 * guest inside) and of the cloud Dom0. Each path stage's time per byte on
 * the sending vCPU (1 / its throughput above) is spent by some component;
 * these multiples say which, per byte of migration stream.
 */
export const STAGE_CPU_SHARES: Readonly<Record<PathStage, { readonly cloudVms: number; readonly cloudDom0: number }>> = {
  /** assumption: encryption at the source and decryption at the destination cost the same (CTR mode), each on its guest Dom0's vCPU. */
  sshCipher: { cloudVms: 2, cloudDom0: 0 },
  /**
   * assumption: an emulated NIC's I/O is synchronous: the sending vCPU is
   * blocked (not running) while QEMU in the cloud Dom0 emulates the
   * transmit, and the destination cloud VM's QEMU spends as long on the
   * receive.
   */
  emulatedNic: { cloudVms: 0, cloudDom0: 2 },
  /** assumption: Blanket's front-end runs on the guest Dom0's vCPU, at both ends; the back-end's copies are counted apart. */
  blanketIpc: { cloudVms: 2, cloudDom0: 0 },
  /** assumption: a physical NIC moves bytes by DMA; not part of the paper's Fig. 4. */
  gigabitEthernet: { cloudVms: 0, cloudDom0: 0 },
};

/** assumption: one memory copy in a (nested) Dom0 moves 2 GiB/s. */
export const MEMORY_COPY_BYTES_PER_S = 2 * 1024 ** 3;
/** brief §5 (Fig. 5 paths): the migration client copies each page once into its pipe to SSH, the server once into the new guest. */
export const CLIENT_SERVER_COPIES_PER_BYTE = 2;
/** brief §5 (Fig. 5 paths): Blanket's back-end grant-copies each byte into the cloud Dom0 and again into the destination. */
export const BLANKET_BACKEND_COPIES_PER_BYTE = 2;

/**
 * Fig. 7 (a validation figure: nothing here is fitted to it): a web server
 * in the guest under an open, httperf-style load while the guest migrates.
 */
export const WEB_SERVICE = {
  /** assumption: Apache serving a small static page costs the guest's single vCPU 0.4 ms a request. */
  vcpuSecondsPerRequest: 0.4e-3,
  /** assumption: one short HTTP exchange (handshake, request, reply, ACKs, close) is about 10 packets through the NIC. */
  packetsPerRequest: 10,
  /**
   * assumption: a virtual NIC's cost is per packet, and a small packet costs
   * what a full 1514-byte frame cost in the calibrated migration stream.
   */
  nicCostFrameBytes: 1514,
  /** assumption: the guest Dom0 bridges each of the guest's packets for 10 µs of CPU. */
  guestDom0SecondsPerPacket: 10e-6,
  /** assumption: httperf offers 90 % of the server's normal capacity: near but below saturation. */
  offeredLoadFraction: 0.9,
  /** assumption: the load runs this long before the migration starts and after it ends. */
  observeBeforeS: 30,
  observeAfterS: 30,
} as const;

/**
 * brief §5 (Fig. 7): the web traffic crosses the cloud VM's virtual NIC,
 * emulated in Xen-Nest and VMBeam, paravirtual in Xen-Blanket.
 */
export const WEB_NIC_STAGE: Readonly<Record<SystemName, PathStage>> = {
  vmbeam: 'emulatedNic',
  'xen-nest': 'emulatedNic',
  'xen-nest-nocipher': 'emulatedNic',
  'xen-blanket': 'blanketIpc',
  'xen-blanket-nocipher': 'blanketIpc',
  physical: 'gigabitEthernet',
};

/** Everything the simulator reads, as one value, so a profile can replace parts of it. */
export interface SimParameters {
  readonly pageBytes: number;
  readonly policy: PrecopyPolicy;
  readonly batchHeaderBytes: number;
  readonly pageHeaderBytes: number;
  readonly wireBytesPerStreamByte: number;
  readonly setupRecordBytes: number;
  readonly finalStateBytes: number;
  readonly stageThroughputMbps: Readonly<Record<PathStage, number>>;
  readonly precopySetupS: number;
  readonly precopyPaths: Readonly<Record<Exclude<SystemName, 'vmbeam'>, PrecopyPathParameters>>;
  readonly zeroCopy: {
    readonly setupS: number;
    readonly sharePerPageS: number;
    readonly releasePerPageS: number;
    readonly finalStageS: number;
  };
  readonly guestLayoutSeed: number;
  readonly stageCpuShares: typeof STAGE_CPU_SHARES;
  readonly memoryCopyBytesPerS: number;
  readonly clientServerCopiesPerByte: number;
  readonly blanketBackendCopiesPerByte: number;
  readonly webService: typeof WEB_SERVICE;
  readonly webNicStage: typeof WEB_NIC_STAGE;
}

/** The paper's testbed, as modelled: the default profile. */
export const PAPER_PARAMETERS: SimParameters = {
  pageBytes: PAGE_BYTES,
  policy: XEN_PRECOPY_POLICY,
  batchHeaderBytes: BATCH_HEADER_BYTES,
  pageHeaderBytes: PAGE_HEADER_BYTES,
  wireBytesPerStreamByte: WIRE_BYTES_PER_STREAM_BYTE,
  setupRecordBytes: SETUP_RECORD_BYTES,
  finalStateBytes: FINAL_STATE_BYTES,
  stageThroughputMbps: STAGE_THROUGHPUT_MBPS,
  precopySetupS: PRECOPY_SETUP_S,
  precopyPaths: PRECOPY_PATHS,
  zeroCopy: ZERO_COPY,
  guestLayoutSeed: GUEST_LAYOUT_SEED,
  stageCpuShares: STAGE_CPU_SHARES,
  memoryCopyBytesPerS: MEMORY_COPY_BYTES_PER_S,
  clientServerCopiesPerByte: CLIENT_SERVER_COPIES_PER_BYTE,
  blanketBackendCopiesPerByte: BLANKET_BACKEND_COPIES_PER_BYTE,
  webService: WEB_SERVICE,
  webNicStage: WEB_NIC_STAGE,
};

/**
 * CPU-seconds the cloud VMs and the cloud Dom0 spend per byte of migration
 * stream on a pre-copy path: each stage's time per byte, times who spends
 * it, plus the client's, the server's and the Blanket back-end's copies.
 */
export function cpuSecondsPerStreamByte(stages: readonly PathStage[], parameters: SimParameters): number {
  let seconds = parameters.clientServerCopiesPerByte / parameters.memoryCopyBytesPerS;
  for (const stage of stages) {
    const shares = parameters.stageCpuShares[stage];
    const secondsPerByte = 8 / (parameters.stageThroughputMbps[stage] * 1e6);
    seconds += (shares.cloudVms + shares.cloudDom0) * secondsPerByte;
    if (stage === 'blanketIpc') seconds += parameters.blanketBackendCopiesPerByte / parameters.memoryCopyBytesPerS;
  }
  return seconds;
}

/** Path throughput in bytes of migration stream per second. */
export function pathBytesPerS(stages: readonly PathStage[], throughputMbps: SimParameters['stageThroughputMbps']): number {
  const secondsPerMbit = stages.reduce((sum, stage) => sum + 1 / throughputMbps[stage], 0);
  return 1e6 / 8 / secondsPerMbit;
}
