/**
 * Which repetition of which point a summary row is: the columns that tell
 * one apart from another, as far as the table has them (a table without
 * `rep` holds one repetition per point).
 */
import type { AnyTable } from './table.ts';

type Cell = string | number | undefined;

export const POINT_COLUMNS = ['system', 'memory_mb', 'dirty_region_mb', 'dirty_pages_per_s'] as const;

export function rowKey(table: AnyTable, row: Readonly<Record<string, Cell>>): string {
  const parts = POINT_COLUMNS.filter((column) => table.columns.includes(column)).map((column) => String(row[column] ?? ''));
  return [...parts, String(row['rep'] ?? 1)].join('|');
}

/** The first repetition that two `ok` rows of a summary table both claim, or undefined. */
export function duplicateRepetition(table: AnyTable, rows: readonly Readonly<Record<string, Cell>>[]): string | undefined {
  if (!table.columns.includes('status')) return undefined;
  const seen = new Set<string>();
  for (const row of rows) {
    if (row['status'] !== 'ok') continue;
    const key = rowKey(table, row);
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}
