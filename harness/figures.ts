import type { BackendName, MigrationMeasurement } from './backends/backend.ts';
import type { FigureId, MigrationPoint } from './experiment.ts';
import { TableWriter } from './results/csv.ts';
import { fig2Table, fig3SeriesTable, fig3Table, fig6Table } from './results/tables.ts';

/** What one repetition of one point came to. */
export type Outcome =
  | { readonly status: 'ok'; readonly measurement: MigrationMeasurement }
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
              mean_bandwidth_mbps:
                bytes !== undefined && duration !== undefined && duration > 0 ? (bytes * 8) / duration / 1e6 : undefined,
            },
          ]);
          series.append(
            (m?.bandwidthSeries ?? []).map((sample) => ({
              backend,
              system: point.system,
              rep,
              t_s: sample.tS,
              bandwidth_mbps: sample.value,
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
  return outcome.status === 'ok' ? outcome.measurement : undefined;
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
