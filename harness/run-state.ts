/**
 * What a results directory already holds, read through the figure registry:
 * which of its CSVs have rows (a run must not truncate them), and which
 * repetitions finished (a resumed run skips those).
 */
import { existsSync } from 'node:fs';
import { isGaveUp, type FigureId, type MigrationPoint } from './experiment.ts';
import { FIGURE_IDS, figureTables } from './registry.ts';
import { csvPath, readRows } from './results/csv.ts';
import { POINT_COLUMNS, rowKey } from './results/row-key.ts';
import type { Task } from './runner.ts';

/** A CSV of the directory and how many rows it holds. */
export interface HeldTable {
  readonly figure: FigureId;
  readonly path: string;
  readonly rows: number;
}

/** Every known CSV in `resultsDir` that holds at least one row, in the paper's figure order. */
export function heldTables(resultsDir: string): HeldTable[] {
  return FIGURE_IDS.flatMap((figure) =>
    figureTables(figure).flatMap((table) => {
      const path = csvPath(resultsDir, table);
      if (!existsSync(path)) return [];
      // Count records, not lines: a quoted error message may span lines.
      const rows = readRows(table, path).length;
      return rows > 0 ? [{ figure, path, rows }] : [];
    }),
  );
}

/** The figures whose summary CSV exists in `resultsDir`. */
export function figuresHeld(resultsDir: string): FigureId[] {
  return FIGURE_IDS.filter((figure) => existsSync(csvPath(resultsDir, figureTables(figure)[0]!)));
}

type Cell = string | number | undefined;

function pointCells(point: MigrationPoint): Record<(typeof POINT_COLUMNS)[number], Cell> {
  return { system: point.system, memory_mb: point.memoryMb, dirty_region_mb: point.dirtyRegionMb, dirty_pages_per_s: point.dirtyPagesPerS };
}

/** The same identity for a task of the sweep. */
export function taskKey(task: Task): string {
  const table = figureTables(task.experiment.figure)[0]!;
  return `${task.experiment.figure}|${rowKey(table, { ...pointCells(task.point), rep: task.rep })}`;
}

/**
 * The repetitions whose summary row says `ok`, or that the experiment gave
 * up on (an outcome the scheme would reach again), as taskKey()s: what a
 * resumed run keeps and does not run again.
 */
export function finishedTasks(resultsDir: string, figures: readonly FigureId[]): Set<string> {
  const finished = new Set<string>();
  for (const figure of figures) {
    const table = figureTables(figure)[0]!;
    const path = csvPath(resultsDir, table);
    if (!existsSync(path)) continue;
    for (const row of readRows(table, path)) {
      const error = row['error'];
      if (row['status'] === 'ok' || isGaveUp(typeof error === 'string' ? error : undefined)) finished.add(`${figure}|${rowKey(table, row)}`);
    }
  }
  return finished;
}

/** A row's identity in its figure's summary table, for merging shards. */
export function summaryRowKey(figure: FigureId, row: Readonly<Record<string, Cell>>): string {
  return `${figure}|${rowKey(figureTables(figure)[0]!, row)}`;
}
