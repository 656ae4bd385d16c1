/**
 * The alternatives experiment as a section of REPORT.md: every scheme's
 * time and downtime at every dirty rate, what its guest felt, then which
 * scheme wins where and by how much (with zero-copy, and without it: what
 * a destination zero-copy cannot reach would get), and what `auto` chose.
 * Pure: rows in, Markdown out.
 */
import { gaveUpSeconds } from '../experiment.ts';
import type { AlternativesRow } from '../results/tables.ts';
import { guestSizeLabel } from '../labels.ts';
import { mean as meanOf } from '../stats.ts';
import { SYSTEM_LABELS, SYSTEMS, isSystemName } from '../systems.ts';

/** What a row says; `guest_lost_s` is derived: the seconds of writing the slowdown amounts to. */
type Metric = 'migration_time_s' | 'downtime_s' | 'guest_slowdown_pct' | 'guest_lost_s';

/** A scheme's mean of one metric at one rate, over its successful repetitions. */
interface Standing {
  readonly system: string;
  readonly value: number;
}

const label = (system: string) => (isSystemName(system) ? SYSTEM_LABELS[system] : system);
const pagesPerS = (rate: number) => rate.toLocaleString('en-US');

function valueOf(row: AlternativesRow, metric: Metric): number | undefined {
  if (metric !== 'guest_lost_s') return row[metric];
  if (row.guest_slowdown_pct === undefined || row.migration_time_s === undefined) return undefined;
  return (row.guest_slowdown_pct / 100) * row.migration_time_s;
}

function meanAt(rows: readonly AlternativesRow[], metric: Metric): number | undefined {
  return meanOf(rows.filter((row) => row.status === 'ok').map((row) => valueOf(row, metric)).filter((v): v is number => v !== undefined));
}

/** The systems present, in the harness's order; the rates, ascending. */
function axes(rows: readonly AlternativesRow[]): { systems: string[]; rates: number[] } {
  const systems = SYSTEMS.filter((system) => rows.some((row) => row.system === system));
  const rates = [...new Set(rows.map((row) => row.dirty_pages_per_s).filter((r): r is number => r !== undefined))].sort((a, b) => a - b);
  return { systems, rates };
}

/** Schemes a destination without zero-copy could use. */
const withoutZeroCopy = (system: string) => system !== 'vmbeam' && system !== 'auto';

/** Every scheme's standing on one metric at one rate, best (lowest) first; `auto` is left out, it runs one of the others. */
export function ranking(rows: readonly AlternativesRow[], rate: number, metric: Metric, include: (system: string) => boolean = () => true): Standing[] {
  const { systems } = axes(rows);
  return systems
    .filter((system) => system !== 'auto' && include(system))
    .flatMap((system) => {
      const value = meanAt(rows.filter((row) => row.system === system && row.dirty_pages_per_s === rate), metric);
      return value === undefined ? [] : [{ system, value }];
    })
    .sort((a, b) => a.value - b.value);
}

/** "VMBeam 10.8 s, 19.6x shorter than Xen-Nest (211.6 s)". */
function winner(standings: readonly Standing[], digits: number, comparative: string): string {
  const [best, next] = standings;
  if (best === undefined) return 'none finished';
  const value = (v: number) => `${v.toFixed(digits)} s`;
  if (next === undefined) return `${label(best.system)} ${value(best.value)}, the only one that finished`;
  const ratio = next.value / best.value;
  // Close calls read better as a percentage than as "1.0x".
  const margin =
    best.value <= 0 ? `${value(next.value - best.value)} ${comparative}` : ratio < 1.2 ? `${((ratio - 1) * 100).toFixed(0)} % ${comparative}` : `${ratio.toFixed(1)}x ${comparative}`;
  return `${label(best.system)} ${value(best.value)}, ${margin} than ${label(next.system)} (${value(next.value)})`;
}

/** A cell for the rows of one scheme at one rate: `render` of the finished ones, or why none finished. */
function cellFor(rows: readonly AlternativesRow[], render: (ok: readonly AlternativesRow[]) => string): string {
  const ok = rows.filter((row) => row.status === 'ok');
  if (ok.length === 0) {
    if (rows.length === 0) return '';
    const giveUp = gaveUpSeconds(rows.find((row) => row.error !== undefined)?.error);
    return giveUp === undefined ? 'failed (see the error column)' : `not converged in ${giveUp} s`;
  }
  const failed = rows.length - ok.length;
  return `${render(ok)}${failed > 0 ? ` (${failed} of ${rows.length} did not finish)` : ''}`;
}

const fmt = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function grid(rows: readonly AlternativesRow[], render: (ok: readonly AlternativesRow[]) => string): string {
  const { systems, rates } = axes(rows);
  return table(
    ['dirty pages/s', ...systems.map(label)],
    rates.map((rate) => [pagesPerS(rate), ...systems.map((system) => cellFor(rows.filter((row) => row.system === system && row.dirty_pages_per_s === rate), render))]),
  );
}

/** Per rate, the best and the runner-up on time, downtime and the guest's lost writing, among `include`. */
function winners(rows: readonly AlternativesRow[], rates: readonly number[], include: (system: string) => boolean): string[] {
  return rates.map(
    (rate) =>
      `- ${pagesPerS(rate)} pages/s: shortest migration ${winner(ranking(rows, rate, 'migration_time_s', include), 1, 'shorter')}; ` +
      `shortest downtime ${winner(ranking(rows, rate, 'downtime_s', include), 2, 'shorter')}; ` +
      `least writing lost ${winner(ranking(rows, rate, 'guest_lost_s', include), 1, 'less')}.`,
  );
}

/** Rates, compressed where they run on in the sweep: "4,000–10,000". */
function rateList(rates: readonly number[], swept: readonly number[]): string {
  const positions = rates.map((rate) => swept.indexOf(rate));
  const consecutive = positions.every((position, i) => i === 0 || position === positions[i - 1]! + 1);
  if (rates.length > 2 && consecutive) return `${pagesPerS(rates[0]!)}–${pagesPerS(rates[rates.length - 1]!)}`;
  return rates.map(pagesPerS).join(', ');
}

/** What `auto` chose, one line per choice and reason, with the rates it made it at. */
function autoLines(rows: readonly AlternativesRow[], rates: readonly number[]): string[] {
  const auto = rows.filter((row) => row.system === 'auto' && row.chosen_system !== undefined);
  if (auto.length === 0) return [];
  const choices = new Map<string, number[]>();
  for (const rate of rates) {
    for (const row of auto.filter((candidate) => candidate.dirty_pages_per_s === rate)) {
      const key = `${label(row.chosen_system!)} (${row.chosen_reason ?? 'no reason recorded'})`;
      const at = choices.get(key) ?? [];
      if (!at.includes(rate)) choices.set(key, [...at, rate]);
    }
  }
  return [
    '',
    "What `auto` chose (it finds out whether the destination shares the source's host and can reach the guest's memory, then takes zero-copy, else a pre-copy scheme for the link and dirty rate):",
    '',
    ...[...choices].map(([choice, at]) => `- at ${rateList(at, rates)} pages/s: ${choice}`),
  ];
}

export function alternativesSection(rows: readonly AlternativesRow[]): string {
  const { systems, rates } = axes(rows);
  const first = rows[0];
  const workload = first === undefined ? '' : ` (${first.dirty_region_mb ?? '?'} MB region written at each rate)`;
  const hasZeroCopy = systems.includes('vmbeam');
  return [
    `### Beyond the paper: QEMU's schemes against zero-copy${guestSizeLabel(rows)}${workload}`,
    '',
    "Every scheme migrates over the Xen-Nest link; means over the repetitions that finished. A scheme still running at the experiment's give-up time was cancelled: *not converged*.",
    '',
    'Migration time (s) / downtime (s):',
    '',
    grid(rows, (ok) => `${fmt(meanAt(ok, 'migration_time_s'), 1)} / ${fmt(meanAt(ok, 'downtime_s'), 2)}`),
    '',
    "What the guest felt: its workload's write rate from `migrate` until the migration completed, against before (slowdown, %), and the seconds of writing that amounts to (lost, s). The stop-and-copy counts as writing nothing, so a migration of seconds shows a larger share for the same pause.",
    '',
    grid(rows, (ok) => `${fmt(meanAt(ok, 'guest_slowdown_pct'), 1)} % · ${fmt(meanAt(ok, 'guest_lost_s'), 1)} s`),
    '',
    'Who wins where (`auto` aside, since it runs one of the others):',
    '',
    ...winners(rows, rates, () => true),
    ...(hasZeroCopy ? ['', 'Without zero-copy (what a destination it cannot reach would get):', '', ...winners(rows, rates, withoutZeroCopy)] : []),
    ...autoLines(rows, rates),
  ].join('\n');
}
