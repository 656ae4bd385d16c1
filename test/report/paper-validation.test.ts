import { describe, expect, it } from 'vitest';
import { readBlindRows } from '../../harness/report/blind.ts';
import { compareValidation, reproduceValidation } from '../../harness/report/paper-validation.ts';
import { VALIDATION_STATEMENTS } from '../../harness/report/paper.ts';
import type { Fig6Row } from '../../harness/results/tables.ts';

const fig6 = (system: string, rate: number, time: number, down: number): Fig6Row => ({
  backend: 'sim', system, memory_mb: 2048, dirty_region_mb: 1024, dirty_pages_per_s: rate, rep: 1, status: 'ok', error: undefined,
  migration_time_s: time, downtime_s: down, network_bytes: 1, iterations: 1, pages_sent: 1,
});

describe('validation statements', () => {
  it('reads Xen-Nest\'s worst rate and its time and downtime there', () => {
    const rows = { fig6: [fig6('xen-nest', 4000, 900, 50), fig6('xen-nest', 5000, 1300, 100), fig6('xen-nest', 6000, 1200, 120), fig6('xen-nest', 7000, 1, 1, ), { ...fig6('xen-nest', 9000, 5000, 1), status: 'failed' as const }] };
    expect(reproduceValidation('fig6-nest-worst-rate', rows)).toEqual({ value: 5000 });
    expect(reproduceValidation('fig6-nest-worst-time', rows)).toEqual({ value: 1300 });
    expect(reproduceValidation('fig6-nest-worst-downtime', rows)).toEqual({ value: 100 });
  });

  it('judges a value-with-range statement by its range and reports the error against the value', () => {
    const rows = { fig6: [fig6('xen-blanket', 8000, 100, 1), fig6('xen-blanket', 10000, 400, 20)] };
    const [jump] = compareValidation(rows, VALIDATION_STATEMENTS.filter((s) => s.id === 'fig6-blanket-jump'));
    expect(jump!.reproduced).toEqual({ value: 4 });
    expect(jump!.pass).toBe(true);
    const [time] = compareValidation(rows, VALIDATION_STATEMENTS.filter((s) => s.id === 'fig6-blanket-time-10000'));
    expect(time!.errorPct).toBeCloseTo(((400 - 366) / 366) * 100, 6);
    expect(time!.pass).toBe(true);
  });

  it('leaves out statements whose tables the run lacks', () => {
    const onlyFig6 = VALIDATION_STATEMENTS.filter((s) => s.reads.every((table) => table === 'fig6')).map((s) => s.id);
    expect(compareValidation({ fig6: [] }).map((c) => c.statement.id)).toEqual(onlyFig6);
  });

  it('reads the blind predictions from the committed snapshot of 8be88d8 (issue 14: 5 of its 16 figure checks held)', () => {
    const blind = compareValidation(readBlindRows());
    expect(blind).toHaveLength(VALIDATION_STATEMENTS.length);
    const figureChecks = blind.filter((c) => c.statement.figure !== 'claim');
    expect(figureChecks).toHaveLength(16);
    expect(figureChecks.filter((c) => c.pass)).toHaveLength(5);
  });
});
