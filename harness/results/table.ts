/**
 * A results table is declared once as an ordered column list; the row type
 * and the CSV header are both derived from it, so they cannot drift apart.
 * Units live in the column names (`migration_time_s`).
 */

/**
 * `text` is always present; `status` is `ok` or `failed`; `text?`,
 * `number?` and `amount?` (a number that cannot be negative: a time, a
 * count, a size, a rate) may be unknown (an empty cell).
 */
export type ColumnKind = 'text' | 'status' | 'text?' | 'number?' | 'amount?';

/** What a row's `status` may say. */
export const ROW_STATUSES = ['ok', 'failed'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export type ColumnSpec = Readonly<Record<string, ColumnKind>>;

type CellOf<K extends ColumnKind> = K extends 'text'
  ? string
  : K extends 'status'
    ? RowStatus
    : K extends 'text?'
      ? string | undefined
      : number | undefined;

export type RowOf<C extends ColumnSpec> = { readonly [Name in keyof C]: CellOf<C[Name]> };

export interface Table<C extends ColumnSpec> {
  /** File name without extension, e.g. `fig2` or `fig3-series`. */
  readonly name: string;
  readonly spec: C;
  readonly columns: readonly (keyof C & string)[];
}

/** A table whatever its columns, for lists of tables and readers that pick columns by name. */
export interface AnyTable {
  readonly name: string;
  readonly spec: ColumnSpec;
  readonly columns: readonly string[];
}

export function defineTable<const C extends ColumnSpec>(name: string, spec: C): Table<C> {
  return { name, spec, columns: Object.keys(spec) as (keyof C & string)[] };
}

/**
 * Numbers are written with at most six decimals so that CSVs are stable
 * across runs and readable; integers stay exact.
 */
export function formatCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) throw new Error(`cannot write non-finite number ${value} to a CSV cell`);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(6)));
}
