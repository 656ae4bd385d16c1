/** Public request/measurement types of the QEMU testbed engine. */

import type { GuestWrites } from '../backend.ts';
import { SYSTEMS, type SystemName } from '../../systems.ts';

export type { SystemName };
/** The harness-wide system list (harness/systems.ts). */
export const SYSTEM_NAMES = SYSTEMS;

export type Accel = 'kvm' | 'tcg';

export type MigrationPolicy = 'xen' | 'qemu';

/** What every migration request of the testbed has (figure runs and Fig. 7 alike). */
export interface PairRequest {
  system: SystemName;
  memoryMb: number;
  policy: MigrationPolicy;
  accel: Accel;
  /** Limit for the migration itself (from `migrate` to completion); boot has its own. */
  timeoutMs: number;
  /**
   * The experiment's limit for a scheme that may never converge: a migration
   * still running after the smaller of this and `timeoutMs` is cancelled and
   * fails as not having converged.
   */
  giveUpAfterS?: number;
  /** Where the guest image is built and cached. */
  imageDir: string;
  signal?: AbortSignal;
}

export interface QemuMigrationRequest extends PairRequest {
  /** Region the workload dirties, and its rate; 0/0 = idle (memory is still filled). */
  dirtyRegionMb: number;
  dirtyPagesPerS: number;
  /** Calibration: no tc shaping on the link, so the pipeline runs as fast as the host lets it. */
  unshapedLink?: boolean;
  /**
   * Start the destination QEMU where the source's shared memory cannot be
   * opened (a private mount namespace with an empty /dev/shm): `auto` must
   * then treat it as remote. Not for a zero-copy system, which needs that memory.
   */
  hideSharedMemory?: boolean;
}

/** What `auto` found out before it migrated, and what it chose. */
export interface AutoDecision {
  readonly system: 'vmbeam' | 'precopy-qemu' | 'postcopy';
  readonly reason: string;
  readonly sourceBootId: string;
  readonly destinationBootId: string;
  /** The source's guest-RAM file opened from the destination's side, and found to be the same file. */
  readonly sharedMemoryReachable: boolean;
  /** Measured through the transport (link-probe.ts). */
  readonly linkPagesPerS: number;
  /** What the guest reported it wrote in its last second (auto.ts says why not QEMU's calc-dirty-rate). */
  readonly dirtyPagesPerS: number;
}

export interface BandwidthPoint {
  tS: number;
  mbps: number;
}

export interface CpuPoint {
  tS: number;
  /** 100 = one core busy. */
  utilizationPct: number;
}

export interface QemuMigrationMeasurement {
  /** QMP total-time. */
  migrationTimeS: number;
  /** Harness clock from `migrate` to the completion event. */
  wallTimeS: number;
  /** QMP downtime (source side: ends when the source has written the last byte). */
  downtimeS: number;
  /** From `migrate` until the guest runs at the destination (destination RESUME event). */
  resumedAfterS: number;
  /**
   * From `migrate` until the migration is over for the guest: it runs at the
   * destination and needs nothing more from the source. Pre-copy: the
   * RESUME. Post-copy: the destination's completion, after the RESUME.
   */
  endedAfterS: number;
  /** The scheme that ran (auto's choice for `auto`). */
  scheme: Exclude<SystemName, 'auto'>;
  /** Post-copy: the migration switched to post-copy before it ended. */
  switchedToPostcopy: boolean;
  /** The workload's writes around the migration; undefined for an idle guest. */
  guestWrites: GuestWrites | undefined;
  /** `auto` only. */
  autoDecision: AutoDecision | undefined;
  /** Source STOP to destination RESUME, from QMP event timestamps (one host clock). */
  guestDowntimeS: number | undefined;
  /** Bytes through the link (both directions of the source veth) during the migration. */
  networkBytes: number;
  /** ram dirty-sync-count. */
  iterations: number;
  /** normal + duplicate pages; undefined where QEMU does not report them. */
  pagesSent: number | undefined;
  /** Both QEMUs, sshd (with its session children) and ssh, from /proc/PID/stat. */
  cpuTimeS: number;
  bandwidthSeries: BandwidthPoint[];
  cpuSeries: CpuPoint[];
  /** The guest's configured memory (QEMU leaves an ignored shared block out of ram.total). */
  guestMemoryMb: number;
  accel: Accel;
  qemuVersion: string;
}
