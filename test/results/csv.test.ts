import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable, TableWriter } from '../../harness/results/csv.ts';
import { defineTable, formatCell } from '../../harness/results/table.ts';

const table = defineTable('t', { name: 'text', note: 'text?', value_s: 'number?' });

describe('results tables', () => {
  it('derives the header from the column list and round-trips rows', () => {
    const directory = mkdtempSync(join(tmpdir(), 'csv-'));
    const writer = new TableWriter(table, directory);
    writer.append([
      { name: 'a', note: 'has, a comma', value_s: 1.5 },
      { name: 'b', note: undefined, value_s: undefined },
    ]);
    writer.append([{ name: 'c', note: '"quoted"', value_s: 0 }]);
    expect(readTable(table, writer.path)).toEqual([
      { name: 'a', note: 'has, a comma', value_s: 1.5 },
      { name: 'b', note: undefined, value_s: undefined },
      { name: 'c', note: '"quoted"', value_s: 0 },
    ]);
  });

  it('refuses a file whose header does not match', () => {
    const directory = mkdtempSync(join(tmpdir(), 'csv-'));
    const path = join(directory, 't.csv');
    writeFileSync(path, 'name,value_s\nx,1\n');
    expect(() => readTable(table, path)).toThrow(/header is 'name,value_s', expected 'name,note,value_s'/);
  });

  it('keeps the rows a file holds when a writer opens it to append, and replaces them when told to', () => {
    const directory = mkdtempSync(join(tmpdir(), 'csv-'));
    new TableWriter(table, directory).append([{ name: 'a', note: undefined, value_s: 1 }]);
    new TableWriter(table, directory).append([{ name: 'b', note: undefined, value_s: 2 }]);
    expect(readTable(table, join(directory, 't.csv')).map((row) => row.name)).toEqual(['a', 'b']);
    new TableWriter(table, directory, 'replace').append([{ name: 'c', note: undefined, value_s: 3 }]);
    expect(readTable(table, join(directory, 't.csv')).map((row) => row.name)).toEqual(['c']);
  });

  it('checks a status and refuses a negative amount', () => {
    const checked = defineTable('u', { status: 'status', time_s: 'amount?', delta_pct: 'number?' });
    const directory = mkdtempSync(join(tmpdir(), 'csv-'));
    const path = join(directory, 'u.csv');
    writeFileSync(path, 'status,time_s,delta_pct\nok,1,-5\nfailed,,\n');
    expect(readTable(checked, path)).toEqual([
      { status: 'ok', time_s: 1, delta_pct: -5 },
      { status: 'failed', time_s: undefined, delta_pct: undefined },
    ]);
    writeFileSync(path, 'status,time_s,delta_pct\nweird,1,0\n');
    expect(() => readTable(checked, path)).toThrow(/u\.csv:2 status: status 'weird' is not one of ok, failed/);
    writeFileSync(path, 'status,time_s,delta_pct\nok,-0.5,0\n');
    expect(() => readTable(checked, path)).toThrow(/u\.csv:2 time_s: -0\.5 is negative/);
  });

  it('formats numbers stably and refuses non-finite ones', () => {
    expect(formatCell(1 / 3)).toBe('0.333333');
    expect(formatCell(42)).toBe('42');
    expect(formatCell(undefined)).toBe('');
    expect(() => formatCell(Number.NaN)).toThrow(/non-finite/);
  });
});
