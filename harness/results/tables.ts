import { defineTable, type RowOf } from './table.ts';

/** Columns every per-repetition table starts with. */
const IDENTITY = { backend: 'text', system: 'text', memory_mb: 'amount?' } as const;
const OUTCOME = { rep: 'amount?', status: 'status', error: 'text?' } as const;

export const fig2Table = defineTable('fig2', {
  ...IDENTITY,
  ...OUTCOME,
  migration_time_s: 'amount?',
  downtime_s: 'amount?',
  network_bytes: 'amount?',
  iterations: 'amount?',
  pages_sent: 'amount?',
});

export const fig3Table = defineTable('fig3', {
  ...IDENTITY,
  ...OUTCOME,
  network_bytes: 'amount?',
  transfer_duration_s: 'amount?',
  mean_bandwidth_mbps: 'amount?',
});

export const fig3SeriesTable = defineTable('fig3-series', {
  backend: 'text',
  system: 'text',
  rep: 'amount?',
  t_s: 'number?',
  bandwidth_mbps: 'amount?',
});

export const fig6Table = defineTable('fig6', {
  ...IDENTITY,
  dirty_region_mb: 'amount?',
  dirty_pages_per_s: 'amount?',
  ...OUTCOME,
  migration_time_s: 'amount?',
  downtime_s: 'amount?',
  network_bytes: 'amount?',
  iterations: 'amount?',
  pages_sent: 'amount?',
});

/** Beyond the paper: one row per scheme, guest size, rate and repetition (experiments/alternatives.ts). */
export const alternativesTable = defineTable('alternatives', {
  ...IDENTITY,
  dirty_region_mb: 'amount?',
  dirty_pages_per_s: 'amount?',
  ...OUTCOME,
  chosen_system: 'text?',
  chosen_reason: 'text?',
  migration_time_s: 'amount?',
  downtime_s: 'amount?',
  network_bytes: 'amount?',
  iterations: 'amount?',
  pages_sent: 'amount?',
  guest_before_pages_per_s: 'amount?',
  guest_during_pages_per_s: 'amount?',
  guest_after_pages_per_s: 'amount?',
  guest_slowdown_pct: 'number?',
});

export const fig4Table = defineTable('fig4', {
  ...IDENTITY,
  ...OUTCOME,
  cpu_time_s: 'amount?',
  mean_cpu_utilization_pct: 'amount?',
});

export const fig4SeriesTable = defineTable('fig4-series', {
  backend: 'text',
  system: 'text',
  rep: 'amount?',
  t_s: 'number?',
  cpu_utilization_pct: 'amount?',
});

export const fig5Table = defineTable('fig5', {
  ...IDENTITY,
  status: 'status',
  error: 'text?',
  transferred_bytes: 'amount?',
  memory_access_bytes: 'amount?',
  access_multiple: 'amount?',
});

export const fig7Table = defineTable('fig7', {
  ...IDENTITY,
  ...OUTCOME,
  normal_rps: 'amount?',
  migration_rps: 'amount?',
  degradation_pct: 'number?',
  offered_rps: 'amount?',
  capacity_rps: 'amount?',
  failed_requests: 'amount?',
  errors: 'amount?',
  timeouts: 'amount?',
});

export const fig7SeriesTable = defineTable('fig7-series', {
  backend: 'text',
  system: 'text',
  rep: 'amount?',
  t_s: 'number?',
  throughput_rps: 'amount?',
  migrating: 'amount?',
});

export type Fig2Row = RowOf<typeof fig2Table.spec>;
export type Fig3Row = RowOf<typeof fig3Table.spec>;
export type Fig3SeriesRow = RowOf<typeof fig3SeriesTable.spec>;
export type Fig6Row = RowOf<typeof fig6Table.spec>;
export type Fig4Row = RowOf<typeof fig4Table.spec>;
export type AlternativesRow = RowOf<typeof alternativesTable.spec>;
export type Fig4SeriesRow = RowOf<typeof fig4SeriesTable.spec>;
export type Fig5Row = RowOf<typeof fig5Table.spec>;
export type Fig7Row = RowOf<typeof fig7Table.spec>;
export type Fig7SeriesRow = RowOf<typeof fig7SeriesTable.spec>;

export type { RowStatus } from './table.ts';

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
  alternatives: alternativesTable,
} as const;

export type TableName = keyof typeof TABLES;
