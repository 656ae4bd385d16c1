/**
 * The alternatives experiment as a section of REPORT.md: every scheme at
 * every dirty rate, then which one wins where and by how much, and what
 * `auto` chose. Pure: rows in, Markdown out.
 */
import type { AlternativesRow } from '../results/tables.ts';
import { guestSizeLabel } from '../labels.ts';
import { mean as meanOf } from '../stats.ts';
import { SYSTEM_LABELS, SYSTEMS, isSystemName } from '../systems.ts';

type Metric = 'migration_time_s' | 'downtime_s' | 'guest_slowdown_pct';

/** A scheme's mean of one metric at one rate, over its successful repetitions. */
interface Standing {
  readonly system: string;
  readonly value: number;
}

const label = (system: string) => (isSystemName(system) ? SYSTEM_LABELS[system] : system);

function meanAt(rows: readonly AlternativesRow[], metric: Metric): number | undefined {
  return meanOf(rows.filter((row) => row.status === 'ok').map((row) => row[metric]).filter((v): v is number => v !== undefined));
}

/** The systems present, in the harness's order; the rates, ascending. */
function axes(rows: readonly AlternativesRow[]): { systems: string[]; rates: number[] } {
  const systems = SYSTEMS.filter((system) => rows.some((row) => row.system === system));
  const rates = [...new Set(rows.map((row) => row.dirty_pages_per_s).filter((r): r is number => r !== undefined))].sort((a, b) => a - b);
  return { systems, rates };
}

/** Every scheme's standing on one metric at one rate, best (lowest) first; `auto` is left out, it runs one of the others. */
export function ranking(rows: readonly AlternativesRow[], rate: number, metric: Metric): Standing[] {
  const { systems } = axes(rows);
  return systems
    .filter((system) => system !== 'auto')
    .flatMap((system) => {
      const value = meanAt(rows.filter((row) => row.system === system && row.dirty_pages_per_s === rate), metric);
      return value === undefined ? [] : [{ system, value }];
    })
    .sort((a, b) => a.value - b.value);
}

/** "Zero-copy, 5.8 s: 3.2x less than Post-copy (18.6 s)". */
function winnerLine(standings: readonly Standing[], unit: string, digits: number, additive: boolean): string {
  const [best, next] = standings;
  if (best === undefined) return 'no scheme finished';
  const value = (v: number) => `${v.toFixed(digits)} ${unit}`.trim();
  if (next === undefined) return `${label(best.system)}, ${value(best.value)} (the only one that finished)`;
  // Slowdowns can be zero or negative: compare them by difference, times by ratio.
  const margin =
    additive || best.value <= 0
      ? `${(next.value - best.value).toFixed(digits)} ${unit} less than ${label(next.system)} (${value(next.value)})`
      : `${(next.value / best.value).toFixed(1)}x less than ${label(next.system)} (${value(next.value)})`;
  return `${label(best.system)}, ${value(best.value)}: ${margin}`;
}

function cellFor(rows: readonly AlternativesRow[]): string {
  const ok = rows.filter((row) => row.status === 'ok');
  if (ok.length === 0) {
    const error = rows.find((row) => row.error !== undefined)?.error;
    return rows.length === 0 ? '' : `failed${error === undefined ? '' : `: ${error.length > 60 ? `${error.slice(0, 57)}...` : error}`}`;
  }
  const fmt = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));
  const failed = rows.length - ok.length;
  return `${fmt(meanAt(rows, 'migration_time_s'), 1)} / ${fmt(meanAt(rows, 'downtime_s'), 2)} / ${fmt(meanAt(rows, 'guest_slowdown_pct'), 0)}${failed > 0 ? ` (${failed} failed)` : ''}`;
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** What `auto` chose at each rate, with its reasons as the rows give them. */
function autoLines(rows: readonly AlternativesRow[], rates: readonly number[]): string[] {
  const auto = rows.filter((row) => row.system === 'auto');
  if (auto.length === 0) return [];
  return [
    '',
    "What `auto` chose (it probes whether the destination shares the source's host and memory, then picks zero-copy or a pre-copy scheme):",
    '',
    ...rates.flatMap((rate) => {
      const at = auto.filter((row) => row.dirty_pages_per_s === rate && row.chosen_system !== undefined);
      const choices = [...new Set(at.map((row) => `${label(row.chosen_system!)} (${row.chosen_reason ?? 'no reason recorded'})`))];
      return choices.length === 0 ? [`- ${rate} pages/s: no choice recorded`] : [`- ${rate} pages/s: ${choices.join('; ')}`];
    }),
  ];
}

export function alternativesSection(rows: readonly AlternativesRow[]): string {
  const { systems, rates } = axes(rows);
  const first = rows[0];
  const workload = first === undefined ? '' : ` (${first.dirty_region_mb ?? '?'} MB region written at each rate)`;
  return [
    `### Beyond the paper: QEMU's schemes against zero-copy${guestSizeLabel(rows)}${workload}`,
    '',
    'Each cell: migration time (s) / downtime (s) / guest slowdown (%, what the guest wrote during the migration against before it), means over the repetitions that finished.',
    '',
    table(
      ['dirty pages/s', ...systems.map(label)],
      rates.map((rate) => [String(rate), ...systems.map((system) => cellFor(rows.filter((row) => row.system === system && row.dirty_pages_per_s === rate)))]),
    ),
    '',
    'Who wins where (`auto` aside, since it runs one of the others):',
    '',
    ...rates.flatMap((rate) => [
      `- ${rate} pages/s: shortest migration ${winnerLine(ranking(rows, rate, 'migration_time_s'), 's', 1, false)}; shortest downtime ${winnerLine(ranking(rows, rate, 'downtime_s'), 's', 2, false)}; least guest slowdown ${winnerLine(ranking(rows, rate, 'guest_slowdown_pct'), '%', 0, true)}.`,
    ]),
    ...autoLines(rows, rates),
  ].join('\n');
}
