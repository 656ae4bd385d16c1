/**
 * Figs. 4-7 and the headline claims against a run's rows: how each
 * validation statement (paper.ts) is read off the tables, and its verdict.
 * Pure: the caller reads the CSVs.
 */
import type { Fig2Row, Fig3Row, Fig4Row, Fig5Row, Fig6Row, Fig7Row } from '../results/tables.ts';
import { mean } from '../stats.ts';
import type { SystemName } from '../systems.ts';
import { judge, Means, ratio, type Comparison, type Reproduced } from './calibration.ts';
import { validationTable } from './markdown.ts';
import { VALIDATION_STATEMENTS, type StatementTable, type ValidationStatement } from './paper.ts';

/** The tables a statement may read; a table a run lacks is absent. */
export interface StatementRows {
  readonly fig2?: readonly Fig2Row[];
  readonly fig3?: readonly Fig3Row[];
  readonly fig4?: readonly Fig4Row[];
  readonly fig5?: readonly Fig5Row[];
  readonly fig6?: readonly Fig6Row[];
  readonly fig7?: readonly Fig7Row[];
}

type Ok = { readonly system: string; readonly status: string };

/** Mean of a metric of one system over the rows that succeeded (and pass `where`). */
function meanOf<Row extends Ok>(
  rows: readonly Row[] | undefined,
  system: SystemName,
  metric: (row: Row) => number | undefined,
  where: (row: Row) => boolean = () => true,
): number | undefined {
  if (rows === undefined) return undefined;
  return mean(
    rows
      .filter((row) => row.system === system && row.status === 'ok' && where(row))
      .map(metric)
      .filter((value): value is number => value !== undefined),
  );
}

const just = (value: number | undefined): Reproduced | undefined => (value === undefined ? undefined : { value });

/** Fig. 6: mean time and downtime of a system at each dirty rate it was run at, rates ascending. */
function fig6Curve(rows: readonly Fig6Row[] | undefined, system: SystemName): { rate: number; time: number; down: number }[] {
  if (rows === undefined) return [];
  const rates = [...new Set(rows.filter((row) => row.system === system).map((row) => row.dirty_pages_per_s))]
    .filter((rate): rate is number => rate !== undefined)
    .sort((a, b) => a - b);
  return rates.flatMap((rate) => {
    const at = (row: Fig6Row) => row.dirty_pages_per_s === rate;
    const time = meanOf(rows, system, (row) => row.migration_time_s, at);
    const down = meanOf(rows, system, (row) => row.downtime_s, at);
    return time === undefined || down === undefined ? [] : [{ rate, time, down }];
  });
}

/** The point of a curve with the longest migration. */
function worst(curve: readonly { rate: number; time: number; down: number }[]) {
  return curve.reduce<(typeof curve)[number] | undefined>((best, point) => (best === undefined || point.time > best.time ? point : best), undefined);
}

/** Each validation statement's reproduced value from a run's rows. */
export function reproduceValidation(id: string, rows: StatementRows): Reproduced | undefined {
  const cpu = (system: SystemName) => meanOf(rows.fig4, system, (row) => row.cpu_time_s);
  const utilisation = (system: SystemName) => meanOf(rows.fig4, system, (row) => row.mean_cpu_utilization_pct);
  const access = (system: SystemName) => meanOf(rows.fig5, system, (row) => row.access_multiple);
  const accessBytes = (system: SystemName) => meanOf(rows.fig5, system, (row) => row.memory_access_bytes);
  const degradation = (system: SystemName) => meanOf(rows.fig7, system, (row) => row.degradation_pct);
  const blanket = fig6Curve(rows.fig6, 'xen-blanket');
  const at = (curve: typeof blanket, rate: number) => curve.find((point) => point.rate === rate);
  const percent = (value: number | undefined) => (value === undefined ? undefined : value * 100);

  switch (id) {
    case 'fig4-vmbeam-over-blanket-cpu':
      return just(ratio(cpu('vmbeam'), cpu('xen-blanket')));
    case 'fig4-vmbeam-over-nest-cpu':
      return just(ratio(cpu('vmbeam'), cpu('xen-nest')));
    case 'fig4-vmbeam-utilisation': {
      const others = mean([utilisation('xen-nest'), utilisation('xen-blanket')].filter((v): v is number => v !== undefined));
      return just(ratio(utilisation('vmbeam'), others));
    }
    case 'fig5-nest-access':
      return just(access('xen-nest'));
    case 'fig5-blanket-access':
      return just(access('xen-blanket'));
    case 'fig5-vmbeam-access':
      return just(access('vmbeam'));
    case 'fig6-vmbeam-flat': {
      const curve = fig6Curve(rows.fig6, 'vmbeam');
      if (curve.length === 0) return undefined;
      const spread = (values: number[]) => Math.max(...values) / Math.min(...values);
      return { value: Math.max(spread(curve.map((p) => p.time)), spread(curve.map((p) => p.down))) };
    }
    case 'fig6-blanket-time-10000':
      return just(at(blanket, 10_000)?.time);
    case 'fig6-blanket-downtime-10000':
      return just(at(blanket, 10_000)?.down);
    case 'fig6-blanket-jump':
      return just(ratio(at(blanket, 10_000)?.time, at(blanket, 8_000)?.time));
    case 'fig6-nest-worst-rate':
      return just(worst(fig6Curve(rows.fig6, 'xen-nest'))?.rate);
    case 'fig6-nest-worst-time':
      return just(worst(fig6Curve(rows.fig6, 'xen-nest'))?.time);
    case 'fig6-nest-worst-downtime':
      return just(worst(fig6Curve(rows.fig6, 'xen-nest'))?.down);
    case 'fig7-vmbeam-degradation':
      return just(degradation('vmbeam'));
    case 'fig7-nest-degradation':
      return just(degradation('xen-nest'));
    case 'fig7-blanket-degradation':
      return just(degradation('xen-blanket'));
    case 'claim-speedup': {
      const fig2 = new Means(rows.fig2 ?? []);
      const values = fig2
        .sizes('vmbeam')
        .map((mb) => ratio(fig2.at('xen-blanket', mb, (r) => r.migration_time_s), fig2.at('vmbeam', mb, (r) => r.migration_time_s)))
        .filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : { value: Math.max(...values) };
    }
    case 'claim-downtime': {
      const fig2 = new Means(rows.fig2 ?? []);
      const down = (system: SystemName, mb: number) => fig2.at(system, mb, (r) => r.downtime_s);
      const reductions = fig2.sizes('vmbeam').flatMap((mb) =>
        (['xen-nest', 'xen-blanket'] as const).map((other) => {
          const r = ratio(down('vmbeam', mb), down(other, mb));
          return r === undefined ? undefined : (1 - r) * 100;
        }),
      );
      const values = reductions.filter((v): v is number => v !== undefined);
      return values.length === 0 ? undefined : { value: Math.min(...values) };
    }
    case 'claim-memory-intensive': {
      const vmbeam = fig6Curve(rows.fig6, 'vmbeam');
      const gains = blanket.flatMap((point) => {
        const zc = at(vmbeam, point.rate);
        return zc === undefined ? [] : [{ rate: point.rate, gain: point.time / zc.time }];
      });
      const idle = gains.find((gain) => gain.rate === 0);
      if (idle === undefined) return undefined;
      return { value: Math.max(...gains.map((gain) => gain.gain)) / idle.gain };
    }
    case 'claim-cpu':
      return just(percent(ratio(cpu('vmbeam'), cpu('xen-blanket'))));
    case 'claim-memory':
      return just(percent(ratio(accessBytes('vmbeam'), accessBytes('xen-blanket'))));
    case 'claim-network': {
      const bytes = (system: SystemName) => meanOf(rows.fig3, system, (row) => row.network_bytes, (row) => row.memory_mb === 4096);
      return just(percent(ratio(bytes('vmbeam'), bytes('xen-blanket'))));
    }
    default:
      throw new Error(`no reproduction rule for validation statement '${id}'`);
  }
}

/** Every validation statement whose tables the run has, judged; `statements` defaults to all of them. */
export function compareValidation(rows: StatementRows, statements: readonly ValidationStatement[] = VALIDATION_STATEMENTS): Comparison[] {
  return statements
    .filter((statement) => statement.reads.every((table: StatementTable) => rows[table] !== undefined))
    .map((statement) => judge(statement, reproduceValidation(statement.id, rows)));
}

/** The validation statements' Markdown table for a run, with the blind predictions beside it where given. */
export function validationSection(rows: StatementRows, blind: StatementRows | undefined, blindLabel: string): string | undefined {
  const comparisons = compareValidation(rows);
  if (comparisons.length === 0) return undefined;
  return [
    '### Statements of the paper (Figs. 4 to 7, headline claims)',
    '',
    "Each statement the brief (§5) gives for the validation figures and the abstract, with issue 14's tolerance. No model constant was fitted to any of them: a statement outside its tolerance is **not reproduced** and stays so. The blind prediction is what the simulator predicted before the paper's numbers were known, read from that commit's committed output.",
    '',
    validationTable(comparisons, blind === undefined ? undefined : compareValidation(blind), blindLabel),
  ].join('\n');
}
