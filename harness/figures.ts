import type { BackendName, MigrationMeasurement, SeriesSample, ServiceMeasurement } from './backends/backend.ts';
import type { FigureId, MigrationPoint } from './experiment.ts';
import { meanBandwidthMbps } from './results/bandwidth.ts';
import { TableWriter } from './results/csv.ts';
import {
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

/** What one repetition of one point came to. */
export type Outcome =
  | { readonly status: 'ok'; readonly measurement: MigrationMeasurement }
  | { readonly status: 'ok'; readonly service: ServiceMeasurement }
  | { readonly status: 'failed'; readonly error: string };

/** Writes a figure's rows as they are produced. */
export interface FigureRecorder {
  record(point: MigrationPoint, rep: number, outcome: Outcome): void;
}

export function openRecorder(figure: FigureId, directory: string, backend: BackendName): FigureRecorder {
  switch (figure) {
    case '2': {
      const writer = new TableWriter(fig2Table, directory);
      return {
        record(point, rep, outcome) {
          const m = measured(outcome);
          writer.append([
            {
              ...identity(backend, point, rep, outcome),
              migration_time_s: m?.migrationTimeS,
              downtime_s: m?.downtimeS,
              network_bytes: m?.networkBytes,
              iterations: m?.iterations,
              pages_sent: m?.pagesSent,
            },
          ]);
        },
      };
    }
    case '3': {
      const summary = new TableWriter(fig3Table, directory);
      const series = new TableWriter(fig3SeriesTable, directory);
      return {
        record(point, rep, outcome) {
          const m = measured(outcome);
          const bytes = m?.networkBytes;
          const duration = m?.transferDurationS;
          summary.append([
            {
              ...identity(backend, point, rep, outcome),
              network_bytes: bytes,
              transfer_duration_s: duration,
              mean_bandwidth_mbps: meanBandwidthMbps(bytes, duration),
            },
          ]);
          series.append(seriesRows(backend, point, rep, m?.bandwidthSeries, 'bandwidth_mbps'));
        },
      };
    }
    case '4': {
      const summary = new TableWriter(fig4Table, directory);
      const series = new TableWriter(fig4SeriesTable, directory);
      return {
        record(point, rep, outcome) {
          const m = measured(outcome);
          const cpu = m?.cpuTimeS;
          summary.append([
            {
              ...identity(backend, point, rep, outcome),
              cpu_time_s: cpu,
              mean_cpu_utilization_pct: cpu === undefined || m === undefined ? undefined : (cpu / m.migrationTimeS) * 100,
            },
          ]);
          series.append(seriesRows(backend, point, rep, m?.cpuSeries, 'cpu_utilization_pct'));
        },
      };
    }
    case '5': {
      const writer = new TableWriter(fig5Table, directory);
      return {
        record(point, _rep, outcome) {
          const m = measured(outcome);
          const transferred = m?.transferredBytes;
          const access = m?.memoryAccessBytes;
          writer.append([
            {
              backend,
              system: point.system,
              memory_mb: point.memoryMb,
              status: outcome.status,
              error: outcome.status === 'failed' ? outcome.error : undefined,
              transferred_bytes: transferred,
              memory_access_bytes: access,
              access_multiple: transferred === undefined || access === undefined || transferred === 0 ? undefined : access / transferred,
            },
          ]);
        },
      };
    }
    case '7': {
      const summary = new TableWriter(fig7Table, directory);
      const series = new TableWriter(fig7SeriesTable, directory);
      return {
        record(point, rep, outcome) {
          const service = outcome.status === 'ok' && 'service' in outcome ? outcome.service : undefined;
          summary.append([
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
          ]);
          series.append(
            (service?.series ?? []).map((sample) => ({
              backend,
              system: point.system,
              rep,
              t_s: sample.tS,
              throughput_rps: sample.rps,
              migrating: sample.migrating ? 1 : 0,
            })),
          );
        },
      };
    }
    case '6': {
      const writer = new TableWriter(fig6Table, directory);
      return {
        record(point, rep, outcome) {
          const m = measured(outcome);
          writer.append([
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
          ]);
        },
      };
    }
  }
}

function measured(outcome: Outcome): MigrationMeasurement | undefined {
  return outcome.status === 'ok' && 'measurement' in outcome ? outcome.measurement : undefined;
}

type SeriesRow<Column extends string> = { backend: BackendName; system: string; rep: number; t_s: number } & Record<
  Column,
  number
>;

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
    error: outcome.status === 'failed' ? outcome.error : undefined,
  };
}
