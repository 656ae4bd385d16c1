/**
 * The paper's validation statements (Figs. 4-7, headline claims) in the
 * form that carries across platforms: orderings and ratios, not values
 * (issue 14, item 6). A testbed other than the paper's (the qemu backend:
 * QEMU/KVM with shaped veth links, CI-scale guests) cannot be held to the
 * paper's seconds and percentages, but it can be asked whether zero-copy
 * used less CPU, whether the faster virtual network lost less web
 * throughput, and so on. Pure: the caller reads the CSVs.
 */
import type { Fig4Row } from '../results/tables.ts';
import { mean } from '../stats.ts';
import type { SystemName } from '../systems.ts';
import type { StatementRows } from './paper-validation.ts';

export interface Ordering {
  readonly id: string;
  readonly figure: '2' | '3' | '4' | '6' | '7';
  /** The paper's result the ordering comes from (brief §5). */
  readonly paper: string;
  /** The ordering or ratio checked. */
  readonly check: string;
}

export interface OrderingResult {
  readonly ordering: Ordering;
  /** What the rows show, or undefined when a table or system is missing. */
  readonly observed: string | undefined;
  readonly holds: boolean;
}

type Ok = { readonly system: string; readonly status: string };

function meanOf<Row extends Ok>(rows: readonly Row[] | undefined, system: SystemName, metric: (row: Row) => number | undefined, where: (row: Row) => boolean = () => true): number | undefined {
  if (rows === undefined) return undefined;
  return mean(rows.filter((r) => r.system === system && r.status === 'ok' && where(r)).map(metric).filter((v): v is number => v !== undefined));
}

const n = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(2));

export const ORDERINGS: readonly Ordering[] = [
  { id: 'cpu-vmbeam-least', figure: '4', paper: 'VMBeam used 12.5 % of Xen-Blanket\'s and 3.7 % of Xen-Nest\'s CPU time', check: 'VMBeam\'s CPU time below both baselines\', and Xen-Nest\'s above Xen-Blanket\'s' },
  { id: 'cpu-utilisation-lower', figure: '4', paper: "VMBeam's mean CPU utilisation 20 % lower than the others'", check: "VMBeam's mean utilisation below the mean of the other two" },
  { id: 'dirty-vmbeam-flat', figure: '6', paper: 'VMBeam: migration time almost unaffected by the dirty rate', check: 'VMBeam\'s largest over smallest migration time over the rates run ≤ 1.1' },
  { id: 'dirty-blanket-grows', figure: '6', paper: 'Xen-Blanket: migration time grows with the dirty rate', check: "Xen-Blanket's migration time rises from each rate run to the next" },
  { id: 'dirty-nest-slowest', figure: '6', paper: 'Xen-Nest far slower than Xen-Blanket under load (1,290 s at worst against 366 s)', check: 'Xen-Nest slower than Xen-Blanket at every rate run' },
  { id: 'web-order', figure: '7', paper: 'degradation 14 % (Xen-Blanket) < 29 % (VMBeam) < 51 % (Xen-Nest)', check: 'the same order of the three degradations' },
  { id: 'speedup-every-size', figure: '2', paper: 'VMBeam up to 7.5 times faster than Xen-Blanket, the gap growing with memory', check: 'VMBeam faster than Xen-Blanket at every size, and the ratio larger at the largest size than at the smallest' },
  { id: 'network-near-zero', figure: '3', paper: "VMBeam's network load nearly 0 % of the others'", check: "VMBeam's bytes ≤ 1 % of Xen-Blanket's at the largest size" },
];

/** Each ordering against a run's rows; those whose tables the run lacks are left out. */
export function checkOrderings(rows: StatementRows): OrderingResult[] {
  return ORDERINGS.flatMap((ordering) => {
    const result = observe(ordering.id, rows);
    return result === undefined ? [] : [{ ordering, ...result }];
  });
}

function observe(id: string, rows: StatementRows): { observed: string | undefined; holds: boolean } | undefined {
  const missing = { observed: undefined, holds: false };
  const rates = (system: SystemName) =>
    [...new Set((rows.fig6 ?? []).filter((r) => r.system === system).map((r) => r.dirty_pages_per_s))].filter((r): r is number => r !== undefined).sort((a, b) => a - b);
  const time6 = (system: SystemName, rate: number) => meanOf(rows.fig6, system, (r) => r.migration_time_s, (r) => r.dirty_pages_per_s === rate);
  switch (id) {
    case 'cpu-vmbeam-least':
    case 'cpu-utilisation-lower': {
      if (rows.fig4 === undefined) return undefined;
      const metric = (r: Fig4Row) => (id === 'cpu-vmbeam-least' ? r.cpu_time_s : r.mean_cpu_utilization_pct);
      const [z, nest, blanket] = (['vmbeam', 'xen-nest', 'xen-blanket'] as const).map((s) => meanOf(rows.fig4, s, metric));
      if (z === undefined || nest === undefined || blanket === undefined) return missing;
      if (id === 'cpu-vmbeam-least') {
        return { observed: `VMBeam/Xen-Blanket ${n(z / blanket)}, VMBeam/Xen-Nest ${n(z / nest)}, Xen-Nest/Xen-Blanket ${n(nest / blanket)}`, holds: z < blanket && z < nest && nest > blanket };
      }
      const ratio = z / ((nest + blanket) / 2);
      return { observed: `${n(ratio)}x the others' mean`, holds: ratio < 1 };
    }
    case 'dirty-vmbeam-flat': {
      if (rows.fig6 === undefined) return undefined;
      const times = rates('vmbeam').map((rate) => time6('vmbeam', rate)).filter((t): t is number => t !== undefined);
      if (times.length < 2) return missing;
      const spread = Math.max(...times) / Math.min(...times);
      return { observed: `${n(spread)}x (${times.map(n).join(', ')} s)`, holds: spread <= 1.1 };
    }
    case 'dirty-blanket-grows':
    case 'dirty-nest-slowest': {
      if (rows.fig6 === undefined) return undefined;
      const blanket = rates('xen-blanket').map((rate) => ({ rate, time: time6('xen-blanket', rate) }));
      if (blanket.length < 2 || blanket.some((p) => p.time === undefined)) return missing;
      if (id === 'dirty-blanket-grows') {
        const holds = blanket.every((p, i) => i === 0 || p.time! > blanket[i - 1]!.time!);
        return { observed: blanket.map((p) => `${p.rate}: ${n(p.time!)} s`).join(', '), holds };
      }
      const pairs = blanket.map((p) => ({ rate: p.rate, nest: time6('xen-nest', p.rate), blanket: p.time! }));
      if (pairs.some((p) => p.nest === undefined)) return missing;
      return { observed: pairs.map((p) => `${p.rate}: ${n(p.nest! / p.blanket)}x`).join(', '), holds: pairs.every((p) => p.nest! > p.blanket) };
    }
    case 'web-order': {
      if (rows.fig7 === undefined) return undefined;
      const [z, nest, blanket] = (['vmbeam', 'xen-nest', 'xen-blanket'] as const).map((s) => meanOf(rows.fig7, s, (r) => r.degradation_pct));
      if (z === undefined || nest === undefined || blanket === undefined) return missing;
      return { observed: `Xen-Blanket ${n(blanket)} %, VMBeam ${n(z)} %, Xen-Nest ${n(nest)} %`, holds: blanket < z && z < nest };
    }
    case 'speedup-every-size': {
      if (rows.fig2 === undefined) return undefined;
      const sizes = [...new Set(rows.fig2.map((r) => r.memory_mb))].filter((s): s is number => s !== undefined).sort((a, b) => a - b);
      const ratios = sizes.map((mb) => {
        const at = (r: { memory_mb: number | undefined }) => r.memory_mb === mb;
        const b = meanOf(rows.fig2, 'xen-blanket', (r) => r.migration_time_s, at);
        const z = meanOf(rows.fig2, 'vmbeam', (r) => r.migration_time_s, at);
        return b === undefined || z === undefined ? undefined : b / z;
      });
      if (ratios.length < 2 || ratios.some((r) => r === undefined)) return missing;
      const values = ratios as number[];
      return { observed: sizes.map((mb, i) => `${mb} MB: ${n(values[i]!)}x`).join(', '), holds: values.every((r) => r > 1) && values[values.length - 1]! > values[0]! };
    }
    case 'network-near-zero': {
      if (rows.fig3 === undefined) return undefined;
      const largest = Math.max(...rows.fig3.map((r) => r.memory_mb ?? 0));
      const at = (r: { memory_mb: number | undefined }) => r.memory_mb === largest;
      const z = meanOf(rows.fig3, 'vmbeam', (r) => r.network_bytes, at);
      const b = meanOf(rows.fig3, 'xen-blanket', (r) => r.network_bytes, at);
      if (z === undefined || b === undefined) return missing;
      return { observed: `${n((z / b) * 100)} % at ${largest} MB`, holds: z / b <= 0.01 };
    }
    default:
      throw new Error(`no rule for ordering '${id}'`);
  }
}

/** The orderings as Markdown, labelled as another platform than the paper's. */
export function orderingSection(rows: StatementRows, platform: string): string | undefined {
  const results = checkOrderings(rows);
  if (results.length === 0) return undefined;
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `### The paper's validation results as orderings (${platform}: a different platform)`,
    '',
    "This testbed is not the paper's, so its values are not held to the paper's; the orderings and ratios the paper reports are (issue 14). The paper's values and the simulator's judgement of them are in results/sim/REPORT.md.",
    '',
    '| Fig. | the paper | checked here | this run | holds |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.ordering.figure} | ${escape(r.ordering.paper)} | ${escape(r.ordering.check)} | ${escape(r.observed ?? 'missing')} | ${r.holds ? 'yes' : '**no**'} |`),
    '',
    `${results.filter((r) => r.holds).length} of ${results.length} orderings hold on this platform.`,
  ].join('\n');
}
