import { SYSTEM_LABELS, isSystemName, type SystemName } from '../systems.ts';

/** Mean, minimum and maximum of one metric over repetitions, per system and x. */
export interface SummaryPoint {
  readonly system: SystemName;
  readonly label: string;
  readonly x: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/**
 * Groups rows by system and x, skipping rows whose status is not `ok` or
 * whose metric is unknown, and summarises each group.
 */
export function summarise<Row extends { readonly system: string; readonly status?: string }>(
  rows: readonly Row[],
  x: (row: Row) => number | undefined,
  metric: (row: Row) => number | undefined,
): SummaryPoint[] {
  const groups = new Map<string, { system: SystemName; x: number; values: number[] }>();
  for (const row of rows) {
    if (row.status !== undefined && row.status !== 'ok') continue;
    const xValue = x(row);
    const value = metric(row);
    if (xValue === undefined || value === undefined || !isSystemName(row.system)) continue;
    const key = `${row.system}|${xValue}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { system: row.system, x: xValue, values: [] };
      groups.set(key, group);
    }
    group.values.push(value);
  }
  return [...groups.values()].map(({ system, x: xValue, values }) => ({
    system,
    label: SYSTEM_LABELS[system],
    x: xValue,
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  }));
}
