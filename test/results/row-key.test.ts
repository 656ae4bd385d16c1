import { describe, expect, it } from 'vitest';
import { duplicateRepetition, rowKey } from '../../harness/results/row-key.ts';
import { fig5Table, fig6Table } from '../../harness/results/tables.ts';

describe('rowKey', () => {
  it('names a repetition by the point columns its table has, one repetition where it has no rep', () => {
    expect(rowKey(fig6Table, { system: 'vmbeam', memory_mb: 2048, dirty_region_mb: 1024, dirty_pages_per_s: 500, rep: 3 })).toBe('vmbeam|2048|1024|500|3');
    expect(rowKey(fig5Table, { system: 'vmbeam', memory_mb: 4096 })).toBe('vmbeam|4096|1');
  });
});

describe('duplicateRepetition', () => {
  const row = (rep: number, status: string) => ({ system: 'xen-nest', memory_mb: 2048, dirty_region_mb: 1024, dirty_pages_per_s: 0, rep, status });
  it('finds two ok rows of one repetition, and lets a failed row sit beside its rerun', () => {
    expect(duplicateRepetition(fig6Table, [row(1, 'ok'), row(2, 'ok')])).toBeUndefined();
    expect(duplicateRepetition(fig6Table, [row(1, 'failed'), row(1, 'ok')])).toBeUndefined();
    expect(duplicateRepetition(fig6Table, [row(1, 'ok'), row(2, 'ok'), row(1, 'ok')])).toBe('xen-nest|2048|1024|0|1');
  });
});
