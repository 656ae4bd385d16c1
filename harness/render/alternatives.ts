/**
 * Beyond the paper: each scheme's migration time, downtime and the
 * slowdown its guest felt, against the dirty rate (pure: rows -> specs).
 * Times span seconds (zero-copy) to the give-up time, so both time axes
 * are logarithmic; a scheme that never finished at a rate has no point
 * there, and the subtitle says which and where.
 */
import { gaveUpSeconds } from '../experiment.ts';
import type { AlternativesRow } from '../results/tables.ts';
import { SYSTEMS, SYSTEM_LABELS, isSystemName } from '../systems.ts';
import { summarise } from './aggregate.ts';
import { lineChart, repetitionNote, type Axis } from './charts.ts';
import type { Chart } from './specs.ts';

const label = (system: string) => (isSystemName(system) ? SYSTEM_LABELS[system] : system);
const pagesPerS = (rate: number) => rate.toLocaleString('en-US');

/** "4,000–10,000" where the rates are consecutive in the sweep, else "2,000, 6,000". */
function rateList(rates: readonly number[], swept: readonly number[]): string {
  const positions = rates.map((rate) => swept.indexOf(rate));
  const consecutive = positions.every((position, i) => i === 0 || position === positions[i - 1]! + 1);
  if (rates.length > 2 && consecutive) return `${pagesPerS(rates[0]!)}–${pagesPerS(rates[rates.length - 1]!)}`;
  return rates.map(pagesPerS).join(', ');
}

/**
 * Which schemes never finished at which rates, as subtitle lines: given
 * up on (the experiment's give-up time), or failed otherwise.
 */
export function failureNotes(rows: readonly AlternativesRow[]): { readonly lines: string[]; readonly giveUpS: number | undefined } {
  const swept = [...new Set(rows.map((row) => row.dirty_pages_per_s ?? 0))].sort((a, b) => a - b);
  const giveUps = rows.map((row) => gaveUpSeconds(row.error)).filter((seconds): seconds is number => seconds !== undefined);
  const giveUpS = giveUps.length === 0 ? undefined : Math.max(...giveUps);
  // Rates at which every repetition of a scheme was given up on: it has no point there.
  const missing = (system: string) =>
    swept.filter((rate) => {
      const at = rows.filter((row) => row.system === system && row.dirty_pages_per_s === rate);
      return at.length > 0 && at.every((row) => row.status !== 'ok' && gaveUpSeconds(row.error) !== undefined);
    });
  const bySet = new Map<string, string[]>();
  for (const system of SYSTEMS.filter((name) => rows.some((row) => row.system === name))) {
    const rates = missing(system);
    if (rates.length === 0) continue;
    const key = rateList(rates, swept);
    bySet.set(key, [...(bySet.get(key) ?? []), label(system)]);
  }
  const lines: string[] = [];
  if (bySet.size > 0) {
    const where = [...bySet].map(([rates, systems]) => `${systems.join(', ')} at ${rates}`).join('; ');
    lines.push(`Not converged within ${giveUpS} s (given up): ${where} pages/s`);
  }
  const otherFailures = rows.filter((row) => row.status !== 'ok' && gaveUpSeconds(row.error) === undefined).length;
  if (otherFailures > 0) lines.push(`${otherFailures} migration${otherFailures === 1 ? '' : 's'} failed otherwise: see the error column`);
  return { lines, giveUpS };
}

/** What `auto` ran: its line lies on the line of the scheme it chose. */
function autoChoiceNote(rows: readonly AlternativesRow[]): string[] {
  const swept = [...new Set(rows.map((row) => row.dirty_pages_per_s ?? 0))].sort((a, b) => a - b);
  const chosen = new Map<string, number[]>();
  for (const rate of swept) {
    const choice = rows.find((row) => row.system === 'auto' && row.dirty_pages_per_s === rate && row.chosen_system !== undefined)?.chosen_system;
    if (choice !== undefined) chosen.set(choice, [...(chosen.get(choice) ?? []), rate]);
  }
  if (chosen.size === 0) return [];
  if (chosen.size === 1) {
    const only = label([...chosen.keys()][0]!);
    return [`Auto chose ${only} at every rate: its dotted line lies on ${only}'s`];
  }
  return [`Auto chose ${[...chosen].map(([system, rates]) => `${label(system)} at ${rateList(rates, swept)}`).join(', ')} pages/s`];
}

export function alternativesCharts(rows: readonly AlternativesRow[]): Chart[] {
  const rate = (row: AlternativesRow) => row.dirty_pages_per_s;
  const first = rows[0];
  const { lines: failures, giveUpS } = failureNotes(rows);
  const about = first === undefined ? [] : [`${first.memory_mb ?? '?'} MB guest writing to a ${first.dirty_region_mb ?? '?'} MB region, on the Xen-Nest link`];
  const autoNote = autoChoiceNote(rows);
  const xAxis: Axis = { title: 'Dirty rate (pages/s)' };
  const time = summarise(rows, rate, (row) => row.migration_time_s);
  const downtime = summarise(rows, rate, (row) => row.downtime_s);
  const slowdown = summarise(rows, rate, (row) => row.guest_slowdown_pct);
  return [
    {
      name: 'alternatives-a',
      spec: lineChart(
        { text: 'Migration time vs dirty rate, per scheme', subtitle: [...about, ...failures, ...autoNote, repetitionNote(time)] },
        time,
        xAxis,
        { title: 'Migration time (s, log scale)', log10: true },
        { markers: true, ...(giveUpS === undefined ? {} : { rule: { y: giveUpS, text: `give-up time, ${giveUpS} s` } }) },
      ),
    },
    {
      name: 'alternatives-b',
      spec: lineChart(
        { text: 'Downtime vs dirty rate, per scheme', subtitle: [...about, ...failures, repetitionNote(downtime)] },
        downtime,
        xAxis,
        { title: 'Downtime (s, log scale)', log10: true },
      ),
    },
    {
      name: 'alternatives-c',
      spec: lineChart(
        {
          text: 'Guest slowdown during migration vs dirty rate',
          subtitle: [
            "1 - pages/s the guest's workload wrote from migrate until the migration completed, over pages/s before",
            'The stop-and-copy counts as writing nothing: in a migration of seconds (zero-copy) its share is larger',
            ...failures,
            repetitionNote(slowdown),
          ],
        },
        slowdown,
        xAxis,
        { title: 'Guest slowdown (%)' },
      ),
    },
  ];
}
