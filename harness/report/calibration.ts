import type { Fig2Row, Fig3Row } from '../results/tables.ts';
import { mean } from '../stats.ts';
import type { SystemName } from '../systems.ts';
import { PAPER_STATEMENTS, type PaperStatement } from './paper.ts';

/** A reproduced value for a statement: one number, or the least and most over memory sizes. */
export type Reproduced = { readonly value: number } | { readonly min: number; readonly max: number };

export interface Comparison {
  readonly statement: PaperStatement;
  readonly reproduced: Reproduced | undefined;
  /** Relative error against a value statement, in %. */
  readonly errorPct: number | undefined;
  readonly pass: boolean;
}

const GIB = 1024 ** 3;

/** Mean of a metric per system and memory size over the rows that succeeded. */
export class Means<Row extends { readonly system: string; readonly memory_mb: number | undefined; readonly status: string }> {
  constructor(private readonly rows: readonly Row[]) {}

  at(system: SystemName, memoryMb: number, metric: (row: Row) => number | undefined): number | undefined {
    return mean(
      this.rows
        .filter((row) => row.system === system && row.memory_mb === memoryMb && row.status === 'ok')
        .map(metric)
        .filter((value): value is number => value !== undefined),
    );
  }

  sizes(system: SystemName): number[] {
    return [...new Set(this.rows.filter((row) => row.system === system).map((row) => row.memory_mb))]
      .filter((size): size is number => size !== undefined)
      .sort((a, b) => a - b);
  }
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** Each statement's reproduced value, from a run's Fig. 2 and Fig. 3 rows. */
function reproduce(id: string, fig2: Means<Fig2Row>, fig3: Means<Fig3Row>): Reproduced | undefined {
  const time = (system: SystemName, mb: number) => fig2.at(system, mb, (row) => row.migration_time_s);
  const down = (system: SystemName, mb: number) => fig2.at(system, mb, (row) => row.downtime_s);
  const sizes = fig2.sizes('vmbeam');
  const smallest = sizes[0] ?? 128;
  const largest = sizes[sizes.length - 1] ?? 4096;
  const overSizes = (value: (mb: number) => number | undefined): Reproduced | undefined => {
    const values = sizes.map(value).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : { min: Math.min(...values), max: Math.max(...values) };
  };
  const meanOverSizes = (value: (mb: number) => number | undefined): Reproduced | undefined => {
    const average = mean(sizes.map(value).filter((v): v is number => v !== undefined));
    return average === undefined ? undefined : { value: average };
  };
  const maxOverSizes = (value: (mb: number) => number | undefined): Reproduced | undefined => {
    const range = overSizes(value);
    return range === undefined || !('max' in range) ? undefined : { value: range.max };
  };
  const just = (value: number | undefined): Reproduced | undefined => (value === undefined ? undefined : { value });
  const fig3At = (system: SystemName, metric: (row: Fig3Row) => number | undefined) => fig3.at(system, 4096, metric);
  const excess = (a: number | undefined, b: number | undefined) => {
    const r = ratio(a, b);
    return r === undefined ? undefined : (r - 1) * 100;
  };
  const difference = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : a - b;

  switch (id) {
    case 'vmbeam-time-4096':
      return just(time('vmbeam', largest));
    case 'blanket-over-vmbeam-128':
      return just(ratio(time('xen-blanket', smallest), time('vmbeam', smallest)));
    case 'blanket-over-vmbeam-4096':
      return just(ratio(time('xen-blanket', largest), time('vmbeam', largest)));
    case 'nest-over-blanket-128':
      return just(ratio(time('xen-nest', smallest), time('xen-blanket', smallest)));
    case 'nest-over-blanket-4096':
      return just(ratio(time('xen-nest', largest), time('xen-blanket', largest)));
    case 'nest-time-4096':
      return just(time('xen-nest', largest));
    case 'nest-over-physical-4096':
      return just(ratio(time('xen-nest', largest), time('physical', largest)));
    case 'blanket-nocipher-over-vmbeam-max':
      return maxOverSizes((mb) => ratio(time('xen-blanket-nocipher', mb), time('vmbeam', mb)));
    case 'vmbeam-downtime':
      return meanOverSizes((mb) => down('vmbeam', mb));
    case 'nest-downtime-excess':
      return meanOverSizes((mb) => excess(down('xen-nest', mb), down('vmbeam', mb)));
    case 'blanket-downtime-excess':
      return overSizes((mb) => excess(down('xen-blanket', mb), down('xen-nest', mb)));
    case 'nest-nocipher-downtime-shrink':
      return maxOverSizes((mb) => difference(down('xen-nest', mb), down('xen-nest-nocipher', mb)));
    case 'blanket-nocipher-downtime-growth':
      return maxOverSizes((mb) => difference(down('xen-blanket-nocipher', mb), down('xen-blanket', mb)));
    case 'vmbeam-network': {
      const bytes = fig3At('vmbeam', (row) => row.network_bytes);
      return just(bytes === undefined ? undefined : (bytes / (4 * GIB)) * 100);
    }
    case 'blanket-network':
    case 'nest-network': {
      const bytes = fig3At(id === 'nest-network' ? 'xen-nest' : 'xen-blanket', (row) => row.network_bytes);
      return just(bytes === undefined ? undefined : bytes / GIB);
    }
    case 'blanket-bandwidth':
      return just(fig3At('xen-blanket', (row) => row.mean_bandwidth_mbps));
    case 'nest-bandwidth':
      return just(fig3At('xen-nest', (row) => row.mean_bandwidth_mbps));
    case 'blanket-duration':
      return just(fig3At('xen-blanket', (row) => row.transfer_duration_s));
    case 'nest-duration':
      return just(fig3At('xen-nest', (row) => row.transfer_duration_s));
    default:
      throw new Error(`no reproduction rule for paper statement '${id}'`);
  }
}

export function judge(statement: PaperStatement, reproduced: Reproduced | undefined): Comparison {
  if (reproduced === undefined) return { statement, reproduced, errorPct: undefined, pass: false };
  const low = 'value' in reproduced ? reproduced.value : reproduced.min;
  const high = 'value' in reproduced ? reproduced.value : reproduced.max;
  const central = 'value' in reproduced ? reproduced.value : (low + high) / 2;
  const expect = statement.expect;
  // Relative error against the paper's value, where it states one other than 0.
  const errorPct = 'value' in expect && expect.value !== 0 ? ((central - expect.value) / expect.value) * 100 : undefined;
  if ('range' in expect) {
    const [from, to] = expect.range;
    return { statement, reproduced, errorPct, pass: low >= from && high <= to };
  }
  return { statement, reproduced, errorPct, pass: errorPct !== undefined && Math.abs(errorPct) <= expect.tolerancePct };
}

/** Every calibration statement of the paper against a run's rows (a missing row fails). */
export function compareWithPaper(fig2Rows: readonly Fig2Row[], fig3Rows: readonly Fig3Row[]): Comparison[] {
  const fig2 = new Means(fig2Rows);
  const fig3 = new Means(fig3Rows);
  return PAPER_STATEMENTS.map((statement) => judge(statement, reproduce(statement.id, fig2, fig3)));
}
