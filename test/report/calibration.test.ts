import { describe, expect, it } from 'vitest';
import { compareWithPaper, judge } from '../../harness/report/calibration.ts';
import { PAPER_STATEMENTS } from '../../harness/report/paper.ts';
import type { Fig2Row, RowStatus } from '../../harness/results/tables.ts';

const statement = (id: string) => PAPER_STATEMENTS.find((candidate) => candidate.id === id)!;

describe('calibration comparisons', () => {
  it('passes a value within tolerance and fails one outside', () => {
    expect(judge(statement('vmbeam-time-4096'), { value: 17 }).pass).toBe(true);
    const off = judge(statement('vmbeam-time-4096'), { value: 19 });
    expect(off.pass).toBe(false);
    expect(off.errorPct).toBeCloseTo(16.56, 1);
  });

  it('checks a range statement over every memory size', () => {
    expect(judge(statement('blanket-downtime-excess'), { min: 40, max: 70 }).pass).toBe(true);
    expect(judge(statement('blanket-downtime-excess'), { min: 20, max: 70 }).pass).toBe(false);
  });

  it('fails every statement whose rows are missing', () => {
    const comparisons = compareWithPaper([], []);
    expect(comparisons).toHaveLength(PAPER_STATEMENTS.length);
    expect(comparisons.every((comparison) => !comparison.pass && comparison.reproduced === undefined)).toBe(true);
  });

  it('uses only rows that succeeded', () => {
    const row = (system: string, status: RowStatus, time: number): Fig2Row => ({
      backend: 'sim', system, memory_mb: 4096, rep: 1, status, error: undefined,
      migration_time_s: time, downtime_s: 0.6, network_bytes: 1, iterations: 1, pages_sent: 0,
    });
    const [first] = compareWithPaper([row('vmbeam', 'ok', 16), row('vmbeam', 'failed', 1000)], []);
    expect(first!.reproduced).toEqual({ value: 16 });
  });
});
