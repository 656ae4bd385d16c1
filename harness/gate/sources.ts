import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseTable, readTable } from '../results/csv.ts';
import type { ColumnSpec, Table } from '../results/table.ts';
import { duplicateRepetition } from '../results/row-key.ts';
import { TABLES, type TableName } from '../results/tables.ts';

/** Any table, read without its row type: gates select columns by name. */
const untyped = (name: TableName) => TABLES[name] as unknown as Table<ColumnSpec>;
import type { Row, RowSource } from './evaluate.ts';

/** The results cannot be read: the gate command exits 2 with this message. */
export class InputError extends Error {}

function cached(load: (backend: string, table: TableName) => readonly Row[]): RowSource {
  const cache = new Map<string, readonly Row[]>();
  return (backend, table) => {
    const key = `${backend}/${table}`;
    let rows = cache.get(key);
    if (rows === undefined) {
      rows = load(backend, table);
      cache.set(key, rows);
    }
    return rows;
  };
}

/** The rows, unless two of them claim the same repetition of a point: a gate would count it twice. */
function checked(table: TableName, rows: readonly Row[], where: string): readonly Row[] {
  const duplicate = duplicateRepetition(untyped(table), rows);
  if (duplicate !== undefined) throw new InputError(`${where}: two ok rows for ${duplicate.replaceAll('|', ' ')} (a repetition measured twice; merge or rerun the run)`);
  return rows;
}

/** Rows from `<root>/<backend>/<table>.csv`. */
export function directorySource(root: string): RowSource {
  if (!existsSync(root)) throw new InputError(`results directory '${root}' does not exist`);
  if (!statSync(root).isDirectory()) throw new InputError(`'${root}' is a file: --results takes the results root holding <backend>/<figure>.csv`);
  return cached((backend, table) => {
    const path = join(root, backend, `${table}.csv`);
    if (!existsSync(path)) throw new InputError(`cannot read ${path}: no such file (run 'npm run experiment -- --backend ${backend}' first)`);
    let rows: readonly Row[];
    try {
      rows = readTable(untyped(table), path);
    } catch (error) {
      throw new InputError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return checked(table, rows, path);
  });
}

/**
 * Rows committed at a git revision, `results/<backend>/<table>.csv`. The
 * files the gates need are read up front (git is asynchronous, gates are not).
 */
export async function revisionSource(revision: string, needed: readonly { backend: string; table: TableName }[]): Promise<RowSource> {
  const texts = new Map<string, string>();
  for (const { backend, table } of needed) {
    const path = `results/${backend}/${table}.csv`;
    const shown = await execa('git', ['show', `${revision}:${path}`], { reject: false });
    if (shown.exitCode !== 0) {
      throw new InputError(`cannot read ${path} at revision '${revision}': ${shown.stderr.split('\n')[0] ?? 'git failed'}`);
    }
    texts.set(`${backend}/${table}`, shown.stdout);
  }
  return cached((backend, table) => {
    const text = texts.get(`${backend}/${table}`);
    if (text === undefined) throw new InputError(`results/${backend}/${table}.csv at '${revision}' was not fetched`);
    const where = `${revision}:results/${backend}/${table}.csv`;
    return checked(table, parseTable(untyped(table), `${text}\n`, where), where);
  });
}

/** A baseline given as a directory if one exists at that path, else as a git revision. */
export async function baselineSource(
  baseline: string,
  needed: readonly { backend: string; table: TableName }[],
): Promise<RowSource> {
  return existsSync(baseline) ? directorySource(baseline) : revisionSource(baseline, needed);
}
