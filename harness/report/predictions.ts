import type { Fig4Row, Fig5Row, Fig6Row, Fig7Row } from '../results/tables.ts';
import { guestSizeLabel } from '../labels.ts';
import { mean as meanOf } from '../stats.ts';
import { SYSTEM_LABELS, SYSTEMS } from '../systems.ts';

/** Mean of a metric over the rows that succeeded, or undefined. */
function mean<Row extends { readonly status: string }>(rows: readonly Row[], metric: (row: Row) => number | undefined): number | undefined {
  return meanOf(rows.filter((row) => row.status === 'ok').map(metric).filter((v): v is number => v !== undefined));
}

const cell = (value: number | undefined, digits: number) => (value === undefined ? 'missing' : value.toFixed(digits));

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function bySystem<Row extends { readonly system: string }>(rows: readonly Row[]): [string, Row[]][] {
  return SYSTEMS.filter((system) => rows.some((row) => row.system === system)).map((system) => [
    SYSTEM_LABELS[system],
    rows.filter((row) => row.system === system),
  ]);
}

const GIB = 1024 ** 3;

/** Fig. 4's results (means over repetitions) as a Markdown section. */
export function fig4Section(rows: readonly Fig4Row[]): string {
  return [
    `### Fig. 4: CPU load${guestSizeLabel(rows)}`,
    '',
    table(
      ['system', 'CPU time (s)', 'mean utilisation (%, 100 = one core)'],
      bySystem(rows).map(([label, group]) => [label, cell(mean(group, (r) => r.cpu_time_s), 1), cell(mean(group, (r) => r.mean_cpu_utilization_pct), 1)]),
    ),
  ].join('\n');
}

/** Fig. 5's results as a Markdown section. */
export function fig5Section(rows: readonly Fig5Row[]): string {
  return [
    `### Fig. 5: memory access${guestSizeLabel(rows)}`,
    '',
    table(
      ['system', 'transferred (GB, 2^30 bytes as in the paper)', 'memory read + written (GB)', 'multiple of transferred'],
      bySystem(rows).map(([label, group]) => [
        label,
        cell(mean(group, (r) => (r.transferred_bytes === undefined ? undefined : r.transferred_bytes / GIB)), 2),
        cell(mean(group, (r) => (r.memory_access_bytes === undefined ? undefined : r.memory_access_bytes / GIB)), 1),
        cell(mean(group, (r) => r.access_multiple), 1),
      ]),
    ),
  ].join('\n');
}

/** Fig. 6's results (means over repetitions, a row per dirty rate) as a Markdown section. */
export function fig6Section(rows: readonly Fig6Row[]): string {
  const rates = [...new Set(rows.map((row) => row.dirty_pages_per_s))].filter((r): r is number => r !== undefined).sort((a, b) => a - b);
  return [
    '### Fig. 6: memory-intensive workload (migration time s / downtime s / iterations)',
    '',
    table(
      ['dirty pages/s', ...bySystem(rows).map(([label]) => label)],
      rates.map((rate) => [
        String(rate),
        ...bySystem(rows).map(([, group]) => {
          const at = group.filter((row) => row.dirty_pages_per_s === rate);
          return `${cell(mean(at, (r) => r.migration_time_s), 1)} / ${cell(mean(at, (r) => r.downtime_s), 2)} / ${cell(mean(at, (r) => r.iterations), 0)}`;
        }),
      ]),
    ),
  ].join('\n');
}

/** Fig. 7's results as a Markdown section. */
export function fig7Section(rows: readonly Fig7Row[]): string {
  return [
    `### Fig. 7: web throughput during migration${guestSizeLabel(rows)}`,
    '',
    table(
      ['system', 'normal (replies/s)', 'during migration (replies/s)', 'degradation (%)'],
      bySystem(rows).map(([label, group]) => [
        label,
        cell(mean(group, (r) => r.normal_rps), 0),
        cell(mean(group, (r) => r.migration_rps), 0),
        cell(mean(group, (r) => r.degradation_pct), 1),
      ]),
    ),
  ].join('\n');
}
