/**
 * The shapes of the simulator's parameters: what a profile (parameters.ts's
 * paper testbed, or the host's from calibrate) must give. The values and
 * their sources are in parameters.ts.
 */
import type { PaperSystemName } from '../../systems.ts';
import type { GuestP2m } from './p2m.ts';

/** The stages a pre-copy stream crosses (parameters.ts STAGE_THROUGHPUT_MBPS gives each its rate). */
export type PathStage = 'sshCipher' | 'emulatedNic' | 'blanketIpc' | 'gigabitEthernet';

/** CPU seconds a stage's time per byte costs the cloud VMs and the cloud Dom0 (Fig. 4). */
export interface StageCpuShare {
  readonly cloudVms: number;
  readonly cloudDom0: number;
}

/** Fig. 7's web service (parameters.ts WEB_SERVICE: the values and their grounds). */
export interface WebService {
  readonly vcpuSecondsPerRequest: number;
  readonly packetsPerRequest: number;
  readonly nicCostFrameBytes: number;
  readonly guestDom0SecondsPerPacket: number;
  readonly offeredLoadFraction: number;
  readonly observeBeforeS: number;
  readonly observeAfterS: number;
}

/** Where in a page the workload writes, and how wide (parameters.ts WORKLOAD_WRITE). */
export interface WorkloadWrite {
  readonly offsetBytes: number;
  readonly wordBytes: number;
}

/** QEMU's schemes beyond the paper (parameters.ts QEMU_SCHEMES: the values and their QEMU sources). */
export interface QemuSchemeParameters {
  readonly downtimeLimitS: number;
  readonly pageHeaderBytes: number;
  readonly batchHeaderBytes: number;
  readonly initialBitmapSyncs: number;
  readonly autoConverge: {
    readonly initialPct: number;
    readonly incrementPct: number;
    readonly maxPct: number;
    readonly triggerThresholdPct: number;
    readonly minPeriodS: number;
    readonly periodsPerStep: number;
    readonly guestWriteVcpuShare: number;
  };
  readonly xbzrle: {
    readonly cacheBytes: number;
    readonly cachedPageLifetimeSyncs: number;
    readonly encodingFlagBytes: number;
    readonly encodedLengthBytes: number;
  };
  readonly multifd: {
    readonly channels: number;
    readonly packetPages: number;
    readonly packetHeaderBytes: number;
    readonly pageOffsetBytes: number;
    readonly cipherProcesses: number;
    readonly channelQueueBytes: number;
  };
  readonly postcopy: {
    readonly livePassesBeforeSwitch: number;
    readonly discardRangeBytes: number;
    readonly discardRangesPerCommand: number;
    readonly discardCommandBytes: number;
    readonly faultQueueBytes: number;
  };
}

export interface PrecopyPolicy {
  /** After this many live passes the next pass is the final one (may be infinite: no cap). */
  readonly maxIterations: number;
  /** Final pass once a live pass sent+skipped fewer pages than this (0: rule off). */
  readonly minRemainingPages: number;
  /** Final pass once more than this many times the guest was sent (may be infinite: no cap). */
  readonly maxSentFactor: number;
  /** What the factor counts: pages (Xen) or bytes of migration stream (QEMU's ram.transferred). */
  readonly sentFactorCounts: 'pages' | 'stream-bytes';
  readonly batchPages: number;
  readonly skipRedirtied: boolean;
  /**
   * A migration still running this long after it started is cancelled and
   * fails (the testbed's timeout; QEMU's downtime-limit rule alone may never
   * converge). Absent: the policy always ends by itself.
   */
  readonly timeoutS?: number;
}

export interface PrecopyPathParameters {
  readonly stages: readonly PathStage[];
  /**
   * calibration (Fig. 2b): suspend, state records and resume at the target.
   * The brief states the downtime of each system relative to VMBeam's 0.6 s
   * and calls Xen-Blanket's excess unexplained, so each system has its own.
   */
  readonly finalStageS: number;
  /** Bytes on the interface per byte of migration stream on this path. */
  readonly wireBytesPerStreamByte: number;
  /**
   * Stream bytes still queued between sender and receiver when the sender
   * suspends the guest; they drain at the path's rate before the guest can
   * resume. 0 where the final stage's calibrated time already covers it.
   */
  readonly inFlightBytesAtStop: number;
  /**
   * QEMU's convergence rule: the final pass starts once the pages dirty
   * after a bitmap sync take less than this at the path's rate. Absent: Xen's
   * minimum-remaining rule decides.
   */
  readonly downtimeLimitS?: number;
}

/**
 * What the guest's memory holds, which decides what pass 1 costs where the
 * sender sends zero pages as short records. `filled`: the data pages grow
 * with guest memory as a workload fills what the kernel leaves available;
 * everything else is zero.
 */
export type GuestMemory =
  | { readonly kind: 'all-data' }
  | {
      readonly kind: 'filled';
      /** The guest size the data-page count was measured at. */
      readonly referenceMemoryMb: number;
      /** Pages holding data at that size. */
      readonly referenceDataPages: number;
      /** The kernel's MemAvailable at that size, MB. */
      readonly referenceAvailableMb: number;
      /** MemAvailable gained per MB of guest memory (what the kernel keeps back per page aside). */
      readonly availableMbPerGuestMb: number;
      /** The workload fills MemAvailable less max(marginMinMb, MemAvailable / marginDivisor). */
      readonly marginMinMb: number;
      readonly marginDivisor: number;
      /** Bytes a zero page costs on the stream. */
      readonly zeroPageBytes: number;
    };

/**
 * How a path's stages share the work: `serial` on one vCPU, one after
 * another (their times per byte add up), or `pipelined` in processes of
 * their own (the slowest stage sets the rate).
 */
export type PathComposition = 'serial' | 'pipelined';

/** Everything the simulator reads, as one value, so a profile can replace parts of it. */
export interface SimParameters {
  readonly pageBytes: number;
  readonly policy: PrecopyPolicy;
  readonly batchHeaderBytes: number;
  readonly pageHeaderBytes: number;
  readonly setupRecordBytes: number;
  readonly finalStateBytes: number;
  readonly pathComposition: PathComposition;
  readonly stageThroughputMbps: Readonly<Record<PathStage, number>>;
  readonly precopySetupS: number;
  readonly precopyPaths: Readonly<Record<Exclude<PaperSystemName, 'vmbeam'>, PrecopyPathParameters>>;
  readonly zeroCopy: {
    readonly setupS: number;
    readonly sharePerPageS: number;
    readonly releasePerPageS: number;
    /** CPU seconds at the destination per CPU second of sharing at the source (Fig. 4's CPU only). */
    readonly destinationCpuSPerSourceCpuS: number;
    readonly finalStageS: number;
    /** Where the control records (setup and final state) go, and how they are framed. */
    readonly controlStages: readonly PathStage[];
    readonly controlWireBytesPerStreamByte: number;
  };
  /** Pages of RAM outside the guest's memory (firmware, option ROMs) that every migration sends, zero-copy too. */
  readonly nonGuestRamPages: number;
  readonly guestMemory: GuestMemory;
  /** Which frames the sender walks and counts for each system's guest (R4). */
  readonly guestP2m: Readonly<Record<Exclude<PaperSystemName, 'vmbeam'>, GuestP2m>>;
  /** Bitmap syncs the sender counts before pass 1: reported iterations are passes plus these. */
  readonly initialBitmapSyncs: number;
  readonly guestLayoutSeed: number;
  readonly stageCpuShares: Readonly<Record<PathStage, StageCpuShare>>;
  readonly memoryCopyBytesPerS: number;
  readonly clientServerCopiesPerByte: number;
  readonly stageCopiesPerByte: Readonly<Record<PathStage, number>>;
  /** Memory copies' worth of CPU the sender spends per guest byte in pass 1 looking for zero pages. */
  readonly zeroCheckCopiesPerByte: number;
  /** CPU seconds every migration costs whatever its size (device state saved and loaded). */
  readonly fixedCpuS: number;
  /** CPU seconds per second the source spends keeping the guest running while pre-copy's live passes run. */
  readonly runningGuestCpuSPerS: number;
  /** CPU seconds per stream byte on a pre-copy path beyond its copies and stages (kernel networking, the processes' own work). */
  readonly unattributedCpuSPerStreamByte: number;
  readonly webService: WebService;
  readonly webNicStage: Readonly<Record<PaperSystemName, PathStage>>;
  /** QEMU's schemes beyond the paper; the same QEMU in both profiles. */
  readonly qemuSchemes: QemuSchemeParameters;
  readonly workloadWrite: WorkloadWrite;
  /** Where the destination is, as `auto` finds out (choose-scheme.ts); a test may move it. */
  readonly placement: { readonly sameHost: boolean; readonly sharedMemoryReachable: boolean };
}
