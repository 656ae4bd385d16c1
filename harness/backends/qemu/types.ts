/** Public request/measurement types of the QEMU testbed engine. */

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
