import { defineTable, type RowOf } from './table.ts';

/**
 * results/validate.csv: the simulator's prediction (host profile) against
 * the testbed's measurement, one row per point and metric; means over
 * repetitions. An empty cell is unknown: no successful run on that side,
 * or a measured 0 (no relative error).
 */
export const validationTable = defineTable('validate', {
  system: 'text',
  memory_mb: 'number?',
  dirty_pages_per_s: 'number?',
  metric: 'text',
  predicted: 'number?',
  measured: 'number?',
  error_pct: 'number?',
});

export type ValidationRow = RowOf<typeof validationTable.spec>;
