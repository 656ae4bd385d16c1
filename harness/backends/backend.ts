import type { MigrationPoint } from '../experiment.ts';

export const BACKEND_NAMES = ['sim'] as const;
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
  /** Versions and parameters worth recording in run.json. */
  describe(): Promise<Record<string, unknown>>;
  migrate(point: MigrationPoint, context: MigrationContext): Promise<MigrationMeasurement>;
  /** Releases whatever the backend holds; safe to call twice. */
  close(): Promise<void>;
}
