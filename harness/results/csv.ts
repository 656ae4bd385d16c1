import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { formatCell, ROW_STATUSES, type AnyTable, type ColumnSpec, type RowOf, type Table } from './table.ts';

export function csvPath(directory: string, table: { readonly name: string }): string {
  return join(directory, `${table.name}.csv`);
}

/**
 * Appends rows to a CSV as they are produced, so a crash or a SIGINT loses
 * nothing already measured. `append` (a run's measurements) keeps the rows
 * a file already holds, after checking its header; `replace` (a table
 * derived from others, such as validate.csv) starts it afresh.
 */
export class TableWriter<C extends ColumnSpec> {
  readonly path: string;

  constructor(
    private readonly table: Table<C>,
    directory: string,
    mode: 'append' | 'replace' = 'append',
  ) {
    this.path = csvPath(directory, table);
    mkdirSync(dirname(this.path), { recursive: true });
    if (mode === 'append' && existsSync(this.path) && statSync(this.path).size > 0) {
      parseTable(table, readFileSync(this.path, 'utf8'), this.path);
      return;
    }
    writeFileSync(this.path, stringify([table.columns]));
  }

  append(rows: readonly RowOf<C>[]): void {
    if (rows.length === 0) return;
    const records = rows.map((row) => this.table.columns.map((column) => formatCell(row[column])));
    appendFileSync(this.path, stringify(records));
  }
}

/** Reads a CSV written by TableWriter back into typed rows; checks the header. */
export function readTable<C extends ColumnSpec>(table: Table<C>, path: string): RowOf<C>[] {
  return parseTable(table, readFileSync(path, 'utf8'), path);
}

/** Reads any table's CSV, its rows keyed by column name (for code that picks columns by name). */
export function readRows(table: AnyTable, path: string): Readonly<Record<string, string | number | undefined>>[] {
  return readTable(table as Table<ColumnSpec>, path);
}

/** Writes any table's CSV afresh from rows keyed by column name. */
export function writeRows(table: AnyTable, directory: string, rows: readonly Readonly<Record<string, string | number | undefined>>[]): string {
  const writer = new TableWriter(table as Table<ColumnSpec>, directory, 'replace');
  writer.append(rows);
  return writer.path;
}

/** Parses CSV text of a table; `path` names where it came from in errors. */
export function parseTable<C extends ColumnSpec>(table: Table<C>, text: string, path: string): RowOf<C>[] {
  const records: string[][] = parse(text, { relax_column_count: false });
  const [header, ...body] = records;
  const expected = table.columns.join(',');
  if (header === undefined || header.join(',') !== expected) {
    throw new Error(`${path}: header is '${header?.join(',') ?? ''}', expected '${expected}'`);
  }
  return body.map((record, line) => {
    const row: Record<string, string | number | undefined> = {};
    table.columns.forEach((column, index) => {
      row[column] = parseCell(record[index] ?? '', table.spec[column]!, `${path}:${line + 2} ${column}`);
    });
    return row as RowOf<C>;
  });
}

function parseCell(cell: string, kind: ColumnSpec[string], where: string): string | number | undefined {
  if (kind === 'text') return cell;
  if (kind === 'status') {
    if (!(ROW_STATUSES as readonly string[]).includes(cell)) throw new Error(`${where}: status '${cell}' is not one of ${ROW_STATUSES.join(', ')}`);
    return cell;
  }
  if (cell === '') return undefined;
  if (kind === 'text?') return cell;
  const value = Number(cell);
  if (!Number.isFinite(value)) throw new Error(`${where}: '${cell}' is not a number`);
  if (kind === 'amount?' && value < 0) throw new Error(`${where}: ${value} is negative`);
  return value;
}
