/**
 * Every constant of the simulator, each with its unit in its name and its
 * source:
 *   - "Xen 4.2.2"       a public constant of libxc's xc_domain_save.c (brief §4);
 *   - "public"          a public hardware or protocol fact;
 *   - "calibration"     fitted to the calibration statements of Figs. 2 and 3
 *                       (brief §5): either read off one statement directly,
 *                       or "calibration (fit)", a least-squares fit of the
 *                       logarithms of all the Fig. 2(a) and 3 statements at
 *                       once (calibrate/fit.ts, `npm run fit`; a test
 *                       keeps these values at its optimum);
 *                       results/sim/REPORT.md lists the residual of each
 *                       statement;
 *   - "assumption"      a stated modelling choice, not fitted to anything;
 *   - "QEMU 7.2"        a default or constant of QEMU's migration code (the
 *                       schemes beyond the paper, QEMU_SCHEMES).
 * Nothing here is fitted to Figs. 4-7, nor to any qemu testbed result.
 */
import type { PaperSystemName } from '../../systems.ts';
import { GUEST_P2M } from './p2m.ts';
import type {
  GuestMemory,
  PathStage,
  PrecopyPathParameters,
  QemuSchemeParameters,
  SimParameters,
  StageCpuShare,
  WebService,
  WorkloadWrite,
} from './parameter-types.ts';

/** public: x86 page size (harness/units.ts). */
import { PAGE_BYTES } from '../../units.ts';
export { PAGE_BYTES };

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
  /** DEF_MAX_FACTOR counts pages sent (`total_sent > dinfo->p2m_size * max_factor`). */
  sentFactorCounts: 'pages',
} as const;

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
export const STAGE_THROUGHPUT_MBPS: Readonly<Record<PathStage, number>> = {
  /** calibration (fit): SSH (aes128-ctr, the OpenSSH default of the time) in a guest Dom0. */
  sshCipher: 577,
  /** calibration (fit): the cloud VM's emulated NIC (QEMU in the cloud Dom0), Xen-Nest's bottleneck. */
  emulatedNic: 117,
  /** calibration (fit): Blanket front-end to back-end through grant tables in the cloud Dom0. */
  blanketIpc: 644,
  /** public: TCP payload rate of gigabit Ethernet, 1000 Mbit/s x 1448 / 1538. */
  gigabitEthernet: 941,
};

/** calibration (fit): `xl migrate` start-up (SSH session, target domain creation) before pass 1. */
export const PRECOPY_SETUP_S = 2.29;

const VMBEAM_DOWNTIME_S = 0.6;
const XEN_NEST_DOWNTIME_S = VMBEAM_DOWNTIME_S * 1.27;
/** Midpoint of "32 % to 76 % longer than Xen-Nest". */
const XEN_BLANKET_DOWNTIME_S = XEN_NEST_DOWNTIME_S * 1.54;

/** Every path of the paper's testbed frames the stream alike (SSH over TCP over Ethernet) and queues nothing the final stage does not cover. */
const XEN_PATH = { wireBytesPerStreamByte: WIRE_BYTES_PER_STREAM_BYTE, inFlightBytesAtStop: 0 } as const;

export const PRECOPY_PATHS: Readonly<Record<Exclude<PaperSystemName, 'vmbeam'>, PrecopyPathParameters>> = {
  'xen-nest': { stages: ['sshCipher', 'emulatedNic'], finalStageS: XEN_NEST_DOWNTIME_S, ...XEN_PATH },
  'xen-blanket': { stages: ['sshCipher', 'blanketIpc'], finalStageS: XEN_BLANKET_DOWNTIME_S, ...XEN_PATH },
  /** calibration: "Xen-Nest's downtime shrank by up to 0.14 s" with the none cipher. */
  'xen-nest-nocipher': { stages: ['emulatedNic'], finalStageS: XEN_NEST_DOWNTIME_S - 0.14, ...XEN_PATH },
  /** calibration: "Xen-Blanket's grew by up to 0.2 s" with the none cipher. */
  'xen-blanket-nocipher': { stages: ['blanketIpc'], finalStageS: XEN_BLANKET_DOWNTIME_S + 0.2, ...XEN_PATH },
  /** assumption: the brief gives no downtime between physical hosts; same Xen final stage as Xen-Nest. */
  physical: { stages: ['sshCipher', 'gigabitEthernet'], finalStageS: XEN_NEST_DOWNTIME_S, ...XEN_PATH },
};

export const ZERO_COPY = {
  /** calibration (fit): VMBeam's fixed start-up (session, target domain, sharing set-up). */
  setupS: 4.92,
  /** calibration (fit): cost to share one guest page with the destination through the nested hypervisors. */
  sharePerPageS: 10.02e-6,
  /** assumption: releasing the source's mapping is a batched p2m update, far cheaper than sharing. */
  releasePerPageS: 0.05e-6,
  /**
   * assumption, grounded in Xen 4.2.2's receiver (docs/model.md §10, R1): CPU
   * seconds the destination guest Dom0 spends establishing a shared page in
   * the new guest, per CPU second the source spends sharing it. Xen's
   * receiver does per-page work for every page it takes in
   * (tools/libxc/xc_domain_restore.c, apply_batch: populate_physmap, p2m
   * update, xc_map_foreign_bulk, then the memcpy); zero-copy drops only the
   * memcpy. Equal cost at both ends, as for encryption and decryption. The
   * destination keeps pace with the source, so migration time is unchanged.
   */
  destinationCpuSPerSourceCpuS: 1,
  /** calibration (Fig. 2b): VMBeam's 0.6 s downtime at 4 GB, less the release of 1 Mi pages. */
  finalStageS: VMBEAM_DOWNTIME_S - 0.05e-6 * 1024 * 256,
  /** assumption: xl's control records cross the emulated network through its SSH session, i.e. Xen-Nest's path. */
  controlStages: PRECOPY_PATHS['xen-nest'].stages,
  controlWireBytesPerStreamByte: WIRE_BYTES_PER_STREAM_BYTE,
} as const;

/**
 * brief §3/§5: the paper's guests are long-running: every page holds data
 * and Xen 4.2.2 sends each in full (libxc has no zero-page detection).
 */
export const GUEST_MEMORY: GuestMemory = { kind: 'all-data' };

/**
 * assumption: the dirtied region is spread uniformly over the guest's
 * physical pages (a long-running guest's allocator hands out scattered
 * frames) rather than one contiguous block; the sender scans pages in frame
 * order. This seed draws that layout; one layout serves every repetition.
 */
export const GUEST_LAYOUT_SEED = 0x5eed;

/** OpenSSH CHAN_TCP_WINDOW_DEFAULT (64 x CHAN_TCP_PACKET_DEFAULT 32 KiB, alike in 6.0p1 and 9.2): a channel's data in flight before sshd acknowledges. */
export const SSH_CHANNEL_WINDOW_BYTES = 64 * 32 * 1024;
/** Linux net.core.wmem_default: the send buffer of the local socket between the migration's sender and ssh. */
export const UNIX_SOCKET_BUFFER_BYTES = 212_992;

/**
 * Beyond the paper (docs/model.md §11): QEMU 7.2's own pre-copy and the
 * schemes it ships, with QEMU's defaults, run over a paper system's path
 * (systems.ts carrierOf). Sources: QEMU 7.2 migration/migration.c (the
 * DEFAULT_MIGRATE_* parameters), migration/ram.c, migration/xbzrle.c,
 * migration/page_cache.c, migration/multifd.h, migration/postcopy-ram.c,
 * migration/savevm.c, softmmu/cpu-throttle.c.
 */
export const QEMU_SCHEMES: QemuSchemeParameters = {
  /** migration.c DEFAULT_MIGRATE_SET_DOWNTIME: complete once the dirty pages take less than 300 ms at the measured bandwidth. */
  downtimeLimitS: 0.3,
  /** ram.c save_page_header: each page carries an 8-byte offset|flags word; pages are not batched. */
  pageHeaderBytes: 8,
  batchHeaderBytes: 0,
  /** ram.c ram_init_bitmaps: ram.dirty-sync-count counts the sync at setup, before pass 1. */
  initialBitmapSyncs: 1,
  autoConverge: {
    /** migration.c DEFAULT_MIGRATE_CPU_THROTTLE_INITIAL, _INCREMENT, DEFAULT_MIGRATE_MAX_CPU_THROTTLE (ram.c mig_throttle_guest_down; cpu-throttle-tailslow off). */
    initialPct: 20,
    incrementPct: 10,
    maxPct: 99,
    /** migration.c DEFAULT_MIGRATE_THROTTLE_TRIGGER_THRESHOLD: dirty bytes of a period above 50 % of the bytes sent in it. */
    triggerThresholdPct: 50,
    /** ram.c migration_bitmap_sync: a period is judged only once more than 1000 ms passed since the last one. */
    minPeriodS: 1,
    /** ram.c migration_trigger_throttle: `++rs->dirty_rate_high_cnt >= 2`: every second period over the threshold steps up. */
    periodsPerStep: 2,
    /**
     * assumption (the brief's): the workload's writes take all the vCPU time
     * it gets, so a vCPU throttled by p (cpu-throttle.c: it sleeps p of each
     * 10 ms slice) writes (1 - p) as fast. A writer needing only a share s
     * of its vCPU keeps its rate until 1 - p < s; guest/workload.c paces its
     * writes in 10 ms ticks and may need far less (docs/model.md §11).
     */
    guestWriteVcpuShare: 1,
  },
  xbzrle: {
    /** migration.c DEFAULT_MIGRATE_XBZRLE_CACHE_SIZE: 64 MiB, one slot per page, direct-mapped by page address (page_cache.c cache_get_cache_pos). */
    cacheBytes: 64 * 1024 * 1024,
    /** page_cache.c CACHED_PAGE_LIFETIME: a slot used within the last 2 syncs is not replaced. */
    cachedPageLifetimeSyncs: 2,
    /** ram.c save_xbzrle_page: the page header, then ENCODING_FLAG_XBZRLE (1 byte) and the encoded length (be16). */
    encodingFlagBytes: 1,
    encodedLengthBytes: 2,
  },
  multifd: {
    /** migration.c DEFAULT_MIGRATE_MULTIFD_CHANNELS. */
    channels: 2,
    /** multifd.h: MULTIFD_PACKET_SIZE 512 KiB of pages per packet; MultiFDPacket_t is 320 bytes plus an 8-byte offset per page. */
    packetPages: (512 * 1024) / PAGE_BYTES,
    packetHeaderBytes: 320,
    pageOffsetBytes: 8,
    /**
     * assumption, as the qemu testbed runs it: every channel connects through
     * one `ssh -L` tunnel, so one ssh process encrypts them all; each channel
     * is a forwarded ssh channel with its own window and local socket.
     */
    cipherProcesses: 1,
    channelQueueBytes: SSH_CHANNEL_WINDOW_BYTES + UNIX_SOCKET_BUFFER_BYTES,
  },
  postcopy: {
    /** The harness issues migrate-start-postcopy after the first pass (issue 17: "switch to post-copy after the first pass"). */
    livePassesBeforeSwitch: 1,
    /** postcopy-ram.c postcopy_discard_send_range / savevm.c qemu_savevm_send_postcopy_ram_discard: each run of dirty pages is a be64 start and a be64 length. */
    discardRangeBytes: 16,
    /** postcopy-ram.c MAX_DISCARDS_PER_COMMAND. */
    discardRangesPerCommand: 12,
    /** savevm.c qemu_savevm_command_send (1 + 2 + 2) and the discard's version, name length, "pc.ram" and its NUL (3 + 6). */
    discardCommandBytes: 5 + 3 + 6,
    /**
     * A faulting page is sent next, but behind what already sits between the
     * sender and the link (QEMU 7.2 sends it on the main stream; its
     * postcopy-preempt channel is off by default): the ssh channel's window
     * and the local socket, full while the background push runs.
     */
    faultQueueBytes: SSH_CHANNEL_WINDOW_BYTES + UNIX_SOCKET_BUFFER_BYTES,
  },
};

/**
 * harness/backends/qemu/guest/workload.c, which the model's workload
 * mirrors: each write stores the next value of a 64-bit counter at the
 * start of a page (`*(volatile uint64_t *)(mem + page * PAGE) = ++counter`).
 */
export const WORKLOAD_WRITE: WorkloadWrite = { offsetBytes: 0, wordBytes: 8 };

/** brief §3: the two cloud VMs share one physical host, and VMBeam's sharing reaches the guest's memory from the destination. */
export const CLOUD_VM_PLACEMENT = { sameHost: true, sharedMemoryReachable: true } as const;

/**
 * CPU accounting (Fig. 4, a validation figure: nothing here is fitted to it).
 * The paper sums the CPU use of the two cloud VMs (each guest Dom0 and
 * guest inside) and of the cloud Dom0. Each path stage's time per byte on
 * the sending vCPU (1 / its throughput above) is spent by some component;
 * these multiples say which, per byte of migration stream.
 */
export const STAGE_CPU_SHARES: Readonly<Record<PathStage, StageCpuShare>> = {
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
/** assumption (with BLANKET_BACKEND_COPIES_PER_BYTE below): memory copies each stage makes per stream byte, beyond the client's and the server's. */
export const STAGE_COPIES_PER_BYTE: Readonly<Record<PathStage, number>> = {
  sshCipher: 0,
  emulatedNic: 0,
  blanketIpc: 2,
  gigabitEthernet: 0,
};
/** brief §5 (Fig. 5 paths): the migration client copies each page once into its pipe to SSH, the server once into the new guest. */
export const CLIENT_SERVER_COPIES_PER_BYTE = 2;
/** brief §5 (Fig. 5 paths): Blanket's back-end grant-copies each byte into the cloud Dom0 and again into the destination. */
export const BLANKET_BACKEND_COPIES_PER_BYTE = STAGE_COPIES_PER_BYTE.blanketIpc;

/**
 * Fig. 7 (a validation figure: nothing here is fitted to it): a web server
 * in the guest under an open, httperf-style load while the guest migrates.
 */
export const WEB_SERVICE: WebService = {
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
};

/**
 * brief §5 (Fig. 7): the web traffic crosses the cloud VM's virtual NIC,
 * emulated in Xen-Nest and VMBeam, paravirtual in Xen-Blanket.
 */
export const WEB_NIC_STAGE: Readonly<Record<PaperSystemName, PathStage>> = {
  vmbeam: 'emulatedNic',
  'xen-nest': 'emulatedNic',
  'xen-nest-nocipher': 'emulatedNic',
  'xen-blanket': 'blanketIpc',
  'xen-blanket-nocipher': 'blanketIpc',
  physical: 'gigabitEthernet',
};

/** The paper's testbed, as modelled: the default profile. */
export const PAPER_PARAMETERS: SimParameters = {
  pageBytes: PAGE_BYTES,
  policy: XEN_PRECOPY_POLICY,
  batchHeaderBytes: BATCH_HEADER_BYTES,
  pageHeaderBytes: PAGE_HEADER_BYTES,
  setupRecordBytes: SETUP_RECORD_BYTES,
  finalStateBytes: FINAL_STATE_BYTES,
  /** The stages run one after another on the sending guest Dom0's single vCPU (brief §3: 1 CPU). */
  pathComposition: 'serial',
  stageThroughputMbps: STAGE_THROUGHPUT_MBPS,
  precopySetupS: PRECOPY_SETUP_S,
  precopyPaths: PRECOPY_PATHS,
  zeroCopy: ZERO_COPY,
  guestMemory: GUEST_MEMORY,
  guestP2m: GUEST_P2M,
  /** brief §2: VMBeam relocates every page, none is sent; Xen sends the guest's pages only. */
  nonGuestRamPages: 0,
  /** Xen 4.2.2: xc_domain_save counts its passes (`iter`), nothing before pass 1. */
  initialBitmapSyncs: 0,
  guestLayoutSeed: GUEST_LAYOUT_SEED,
  stageCpuShares: STAGE_CPU_SHARES,
  memoryCopyBytesPerS: MEMORY_COPY_BYTES_PER_S,
  clientServerCopiesPerByte: CLIENT_SERVER_COPIES_PER_BYTE,
  stageCopiesPerByte: STAGE_COPIES_PER_BYTE,
  /** Xen 4.2.2 does not look for zero pages. */
  zeroCheckCopiesPerByte: 0,
  /** assumption (docs/model.md §4): setup and the final stage are counted as idle. */
  fixedCpuS: 0,
  /** assumption (docs/model.md §4): Fig. 4 counts the migration's CPU; the guest's own is not in it. */
  runningGuestCpuSPerS: 0,
  /** assumption (docs/model.md §4): the per-stage CPU shares account for the whole path. */
  unattributedCpuSPerStreamByte: 0,
  webService: WEB_SERVICE,
  webNicStage: WEB_NIC_STAGE,
  qemuSchemes: QEMU_SCHEMES,
  workloadWrite: WORKLOAD_WRITE,
  placement: CLOUD_VM_PLACEMENT,
};
