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

  it('formats numbers stably and refuses non-finite ones', () => {
    expect(formatCell(1 / 3)).toBe('0.333333');
    expect(formatCell(42)).toBe('42');
    expect(formatCell(undefined)).toBe('');
    expect(() => formatCell(Number.NaN)).toThrow(/non-finite/);
  });
});
