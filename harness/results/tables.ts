import { defineTable, type RowOf } from './table.ts';

/** Columns every per-repetition table starts with. */
const IDENTITY = { backend: 'text', system: 'text', memory_mb: 'number?' } as const;
const OUTCOME = { rep: 'number?', status: 'text', error: 'text?' } as const;

export const fig2Table = defineTable('fig2', {
  ...IDENTITY,
  ...OUTCOME,
  migration_time_s: 'number?',
  downtime_s: 'number?',
  network_bytes: 'number?',
  iterations: 'number?',
  pages_sent: 'number?',
});

export const fig3Table = defineTable('fig3', {
  ...IDENTITY,
  ...OUTCOME,
  network_bytes: 'number?',
  transfer_duration_s: 'number?',
  mean_bandwidth_mbps: 'number?',
});

export const fig3SeriesTable = defineTable('fig3-series', {
  backend: 'text',
  system: 'text',
  rep: 'number?',
  t_s: 'number?',
  bandwidth_mbps: 'number?',
});

export const fig6Table = defineTable('fig6', {
  ...IDENTITY,
  dirty_region_mb: 'number?',
  dirty_pages_per_s: 'number?',
  ...OUTCOME,
  migration_time_s: 'number?',
  downtime_s: 'number?',
  network_bytes: 'number?',
  iterations: 'number?',
  pages_sent: 'number?',
});

export const fig4Table = defineTable('fig4', {
  ...IDENTITY,
  ...OUTCOME,
  cpu_time_s: 'number?',
  mean_cpu_utilization_pct: 'number?',
});

export const fig4SeriesTable = defineTable('fig4-series', {
  backend: 'text',
  system: 'text',
  rep: 'number?',
  t_s: 'number?',
  cpu_utilization_pct: 'number?',
});

export const fig5Table = defineTable('fig5', {
  ...IDENTITY,
  status: 'text',
  error: 'text?',
  transferred_bytes: 'number?',
  memory_access_bytes: 'number?',
  access_multiple: 'number?',
});

export const fig7Table = defineTable('fig7', {
  ...IDENTITY,
  ...OUTCOME,
  normal_rps: 'number?',
  migration_rps: 'number?',
  degradation_pct: 'number?',
  offered_rps: 'number?',
  capacity_rps: 'number?',
  failed_requests: 'number?',
  errors: 'number?',
  timeouts: 'number?',
});

export const fig7SeriesTable = defineTable('fig7-series', {
  backend: 'text',
  system: 'text',
  rep: 'number?',
  t_s: 'number?',
  throughput_rps: 'number?',
  migrating: 'number?',
});

export type Fig2Row = RowOf<typeof fig2Table.spec>;
export type Fig3Row = RowOf<typeof fig3Table.spec>;
export type Fig3SeriesRow = RowOf<typeof fig3SeriesTable.spec>;
export type Fig6Row = RowOf<typeof fig6Table.spec>;
export type Fig4Row = RowOf<typeof fig4Table.spec>;
export type Fig4SeriesRow = RowOf<typeof fig4SeriesTable.spec>;
export type Fig5Row = RowOf<typeof fig5Table.spec>;
export type Fig7Row = RowOf<typeof fig7Table.spec>;
export type Fig7SeriesRow = RowOf<typeof fig7SeriesTable.spec>;

export type RowStatus = 'ok' | 'failed';

/** Every results table, by file name: what gates and other readers select from. */
export const TABLES = {
  fig2: fig2Table,
  fig3: fig3Table,
  'fig3-series': fig3SeriesTable,
  fig4: fig4Table,
  'fig4-series': fig4SeriesTable,
  fig5: fig5Table,
  fig6: fig6Table,
  fig7: fig7Table,
  'fig7-series': fig7SeriesTable,
} as const;

export type TableName = keyof typeof TABLES;
