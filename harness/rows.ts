/**
 * How one repetition's outcome becomes rows of a figure's tables. Pure row
 * builders, one per table; the figure registry (registry.ts) says which
 * tables each figure has, and `openRecorder` appends their rows as they come.
 */
import type { BackendName, GuestWrites, MigrationMeasurement, SeriesSample } from './backends/backend.ts';
import type { MigrationPoint } from './experiment.ts';
import { meanBandwidthMbps } from './results/bandwidth.ts';
import { TableWriter } from './results/csv.ts';
import type { AnyTable, ColumnSpec, RowOf, Table } from './results/table.ts';
import {
  alternativesTable,
  fig2Table,
  fig3SeriesTable,
  fig3Table,
  fig4SeriesTable,
  fig4Table,
  fig5Table,
  fig6Table,
  fig7SeriesTable,
  fig7Table,
} from './results/tables.ts';
import type { FigureRecorder, Outcome } from './runner.ts';

/** A table of a figure, whatever its columns: what lists of tables hold. */
export interface FigureTable {
  readonly table: AnyTable;
  /** Opens its CSV in `directory`; the recorder appends each outcome's rows. */
  open(directory: string, backend: BackendName): FigureRecorder;
}

/** A table and the rows one repetition's outcome adds to it. */
export interface TableRows<C extends ColumnSpec> extends FigureTable {
  readonly table: Table<C>;
  rows(backend: BackendName, point: MigrationPoint, rep: number, outcome: Outcome): RowOf<C>[];
}

/** The tables of one figure, summary first. */
export type FigureTables = readonly [FigureTable, ...FigureTable[]];

function tableRows<C extends ColumnSpec>(table: Table<C>, rows: TableRows<C>['rows']): TableRows<C> {
  return {
    table,
    rows,
    open(directory, backend) {
      const writer = new TableWriter(table, directory);
      return { record: (point, rep, outcome) => writer.append(rows(backend, point, rep, outcome)) };
    },
  };
}

/** Opens the figure's CSVs in `directory` and appends each outcome's rows to every one of them. */
export function openRecorder(tables: FigureTables, directory: string, backend: BackendName): FigureRecorder {
  const recorders = tables.map((entry) => entry.open(directory, backend));
  return {
    record(point, rep, outcome) {
      for (const recorder of recorders) recorder.record(point, rep, outcome);
    },
  };
}

export const fig2Rows = tableRows(fig2Table, (backend, point, rep, outcome) => {
  const m = measured(outcome);
  return [
    {
      ...identity(backend, point, rep, outcome),
      migration_time_s: m?.migrationTimeS,
      downtime_s: m?.downtimeS,
      network_bytes: m?.networkBytes,
      iterations: m?.iterations,
      pages_sent: m?.pagesSent,
    },
  ];
});

export const fig3Rows = tableRows(fig3Table, (backend, point, rep, outcome) => {
  const m = measured(outcome);
  return [
    {
      ...identity(backend, point, rep, outcome),
      network_bytes: m?.networkBytes,
      transfer_duration_s: m?.transferDurationS,
      mean_bandwidth_mbps: meanBandwidthMbps(m?.networkBytes, m?.transferDurationS),
    },
  ];
});

export const fig3SeriesRows = tableRows(fig3SeriesTable, (backend, point, rep, outcome) =>
  seriesRows(backend, point, rep, measured(outcome)?.bandwidthSeries, 'bandwidth_mbps'),
);

export const fig4Rows = tableRows(fig4Table, (backend, point, rep, outcome) => {
  const m = measured(outcome);
  const cpu = m?.cpuTimeS;
  return [
    {
      ...identity(backend, point, rep, outcome),
      cpu_time_s: cpu,
      mean_cpu_utilization_pct: cpu === undefined || m === undefined ? undefined : (cpu / m.migrationTimeS) * 100,
    },
  ];
});

export const fig4SeriesRows = tableRows(fig4SeriesTable, (backend, point, rep, outcome) =>
  seriesRows(backend, point, rep, measured(outcome)?.cpuSeries, 'cpu_utilization_pct'),
);

/** Fig. 5 is one deterministic estimate per system: no repetition column. */
export const fig5Rows = tableRows(fig5Table, (backend, point, _rep, outcome) => {
  const m = measured(outcome);
  const transferred = m?.transferredBytes;
  const access = m?.memoryAccessBytes;
  return [
    {
      backend,
      system: point.system,
      memory_mb: point.memoryMb,
      status: outcome.status,
      error: outcome.kind === 'failed' ? outcome.error : undefined,
      transferred_bytes: transferred,
      memory_access_bytes: access,
      access_multiple: transferred === undefined || access === undefined || transferred === 0 ? undefined : access / transferred,
    },
  ];
});

export const fig6Rows = tableRows(fig6Table, (backend, point, rep, outcome) => {
  const m = measured(outcome);
  return [
    {
      ...identity(backend, point, rep, outcome),
      dirty_region_mb: point.dirtyRegionMb,
      dirty_pages_per_s: point.dirtyPagesPerS,
      migration_time_s: m?.migrationTimeS,
      downtime_s: m?.downtimeS,
      network_bytes: m?.networkBytes,
      iterations: m?.iterations,
      pages_sent: m?.pagesSent,
    },
  ];
});

/** Slowdown the guest felt while it migrated, in % of what it wrote before (negative: it wrote faster). */
export function guestSlowdownPct(writes: GuestWrites | undefined): number | undefined {
  if (writes === undefined || writes.beforePagesPerS <= 0) return undefined;
  return (1 - writes.duringPagesPerS / writes.beforePagesPerS) * 100;
}

export const alternativesRows = tableRows(alternativesTable, (backend, point, rep, outcome) => {
  const m = measured(outcome);
  const writes = m?.guestWrites;
  return [
    {
      ...identity(backend, point, rep, outcome),
      dirty_region_mb: point.dirtyRegionMb,
      dirty_pages_per_s: point.dirtyPagesPerS,
      chosen_system: m?.chosen?.system,
      chosen_reason: m?.chosen?.reason,
      migration_time_s: m?.migrationTimeS,
      downtime_s: m?.downtimeS,
      network_bytes: m?.networkBytes,
      iterations: m?.iterations,
      pages_sent: m?.pagesSent,
      guest_before_pages_per_s: writes?.beforePagesPerS,
      guest_during_pages_per_s: writes?.duringPagesPerS,
      guest_after_pages_per_s: writes?.afterPagesPerS,
      guest_slowdown_pct: guestSlowdownPct(writes),
    },
  ];
});

export const fig7Rows = tableRows(fig7Table, (backend, point, rep, outcome) => {
  const service = outcome.kind === 'service' ? outcome.service : undefined;
  return [
    {
      ...identity(backend, point, rep, outcome),
      normal_rps: service?.normalRps,
      migration_rps: service?.migrationRps,
      degradation_pct: service?.degradationPct,
      offered_rps: service?.offeredRps,
      capacity_rps: service?.capacityRps,
      failed_requests: service?.failedRequests,
      errors: service?.errors,
      timeouts: service?.timeouts,
    },
  ];
});

export const fig7SeriesRows = tableRows(fig7SeriesTable, (backend, point, rep, outcome) =>
  (outcome.kind === 'service' ? outcome.service.series : []).map((sample) => ({
    backend,
    system: point.system,
    rep,
    t_s: sample.tS,
    throughput_rps: sample.rps,
    migrating: sample.migrating ? 1 : 0,
  })),
);

function measured(outcome: Outcome): MigrationMeasurement | undefined {
  return outcome.kind === 'migration' ? outcome.measurement : undefined;
}

type SeriesRow<Column extends string> = { backend: BackendName; system: string; rep: number; t_s: number } & Record<Column, number>;

/** One row per 1 s bin of a migration's series, the value under `column`. */
function seriesRows<Column extends string>(
  backend: BackendName,
  point: MigrationPoint,
  rep: number,
  samples: readonly SeriesSample[] | undefined,
  column: Column,
): SeriesRow<Column>[] {
  // A computed key widens to an index signature; the row has exactly these keys.
  return (samples ?? []).map((sample) => ({ backend, system: point.system, rep, t_s: sample.tS, [column]: sample.value }) as SeriesRow<Column>);
}

function identity(backend: BackendName, point: MigrationPoint, rep: number, outcome: Outcome) {
  return {
    backend,
    system: point.system,
    memory_mb: point.memoryMb,
    rep,
    status: outcome.status,
    error: outcome.kind === 'failed' ? outcome.error : undefined,
  };
}
