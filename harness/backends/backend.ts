import type { FigureId, MigrationPoint } from '../experiment.ts';
import type { SystemName } from '../systems.ts';

export const BACKEND_NAMES = ['sim', 'qemu', 'xen'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One value per 1 s bin; `tS` is the bin's start relative to the migration command. */
export interface SeriesSample {
  readonly tS: number;
  readonly value: number;
}

/** What one migration measured. Unknown quantities are `undefined`, never 0. */
export interface MigrationMeasurement {
  readonly migrationTimeS: number;
  readonly downtimeS: number | undefined;
  /** Bytes the migration put on the link between the two cloud VMs. */
  readonly networkBytes: number | undefined;
  /** From the first to the last byte of the migration on that link. */
  readonly transferDurationS: number | undefined;
  /** Memory passes, counting the final stop-and-copy pass. */
  readonly iterations: number | undefined;
  /** Guest pages put on the link (0 for zero-copy: pages are relocated, not sent). */
  readonly pagesSent: number | undefined;
  /** Link bandwidth in Mbit/s, 1 s bins. */
  readonly bandwidthSeries: readonly SeriesSample[];
  /** CPU time the migration cost (both cloud VMs and the cloud Dom0, or both QEMUs and the transport). */
  readonly cpuTimeS: number | undefined;
  /** CPU utilisation in %, 100 = one core, 1 s bins. */
  readonly cpuSeries: readonly SeriesSample[];
  /** Guest memory that reached the destination: pages sent, or for zero-copy the relocated memory. */
  readonly transferredBytes: number | undefined;
  /** Estimated memory reads plus writes along the copy path (simulator only). */
  readonly memoryAccessBytes: number | undefined;
  /** What the guest's own workload achieved around the migration, where it reports it (the alternatives experiment). */
  readonly guestWrites?: GuestWrites;
  /** `auto` only: the scheme it ran, and why. */
  readonly chosen?: { readonly system: SystemName; readonly reason: string };
}

/**
 * Pages per second the guest's dirtying workload wrote (as QEMU's guestperf
 * reports it): in the seconds before `migrate`; from `migrate` until the
 * migration completed, over that time; and in the seconds after. For
 * pre-copy and zero-copy the migration completes when the guest runs at
 * the destination (its stop counts as writing nothing); for post-copy when
 * the last page arrived there, so the faults after the switch count too.
 * A scheme that throttles or stalls the guest shows as `during` below
 * `before`.
 */
export interface GuestWrites {
  readonly beforePagesPerS: number;
  readonly duringPagesPerS: number;
  readonly afterPagesPerS: number;
}

/** A web service's throughput before, during and after a migration (Fig. 7). */
export interface ServiceMeasurement {
  readonly normalRps: number;
  readonly migrationRps: number;
  /** 1 - migration / normal, in %. */
  readonly degradationPct: number;
  /** Replies per second in 1 s bins; `migrating` marks the migration window. */
  readonly series: readonly { readonly tS: number; readonly rps: number; readonly migrating: boolean }[];
  /** The client's fixed request rate. */
  readonly offeredRps?: number;
  /** What the server sustains: measured before the run (qemu) or the model's (sim). */
  readonly capacityRps?: number;
  /** Requests that failed in the migration window: timed out, reset, refused or answered with an error status. */
  readonly failedRequests?: number;
  /** Failed requests of the whole run, and those of them that timed out. */
  readonly errors?: number;
  readonly timeouts?: number;
}

export interface MigrationContext {
  /** This repetition's own seed. */
  readonly seed: number;
  readonly signal: AbortSignal;
}

/** The one small interface every backend implements. */
export interface Backend {
  readonly name: BackendName;
  /** How many migrations may run at once without disturbing each other's measurements. */
  readonly concurrency: number;
  /** The figures this backend can produce. */
  readonly figures: readonly FigureId[];
  /** The systems this backend's testbed runs; undefined: all of them. Points of others are skipped, not failed. */
  readonly systems?: readonly SystemName[];
  /** Versions and parameters worth recording in run.json. */
  describe(): Promise<Record<string, unknown>>;
  /**
   * Optional warm-up before the sweep, given every point it will run (e.g.
   * booting each guest size once). Nothing here is measured; a failure here
   * shows up again, per point, in `migrate`.
   */
  prepare?(points: readonly MigrationPoint[], signal: AbortSignal): Promise<void>;
  /**
   * Optional: what a point is expected to cost, in any unit as long as it is
   * the same for every point (seconds of a run, say). It balances the shards
   * of a sharded run, so it must depend on the point alone: every machine
   * computes the same partition.
   */
  expectedCost?(point: MigrationPoint, kind: 'migration' | 'service'): number;
  /**
   * Optional: true when a point's measurement does not depend on the
   * repetition's seed (a deterministic model of an idle guest). The runner
   * then computes it once and records it for every repetition.
   */
  seedIndependent?(point: MigrationPoint): boolean;
  migrate(point: MigrationPoint, context: MigrationContext): Promise<MigrationMeasurement>;
  /** Runs a web server in the guest under load while it migrates. */
  measureService(point: MigrationPoint, context: MigrationContext): Promise<ServiceMeasurement>;
  /** Releases whatever the backend holds; safe to call twice. */
  close(): Promise<void>;
}
