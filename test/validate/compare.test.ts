import { describe, expect, it } from 'vitest';
import type { AlternativesRow, Fig2Row, Fig4Row, Fig6Row, RowStatus } from '../../harness/results/tables.ts';
import { compareRuns, errorPct, OUTCOME, outcomeAgreement, summarise } from '../../harness/validate/compare.ts';

const fig2 = (system: string, memory_mb: number, migration_time_s: number | undefined, status: RowStatus = 'ok'): Fig2Row => ({
  backend: 'x', system, memory_mb, rep: 1, status, error: status === 'ok' ? undefined : 'boom',
  migration_time_s, downtime_s: migration_time_s === undefined ? undefined : migration_time_s / 100,
  network_bytes: 1000, iterations: 3, pages_sent: 0,
});
const fig6 = (system: string, rate: number, migration_time_s: number): Fig6Row => ({
  backend: 'x', system, memory_mb: 512, dirty_region_mb: 256, dirty_pages_per_s: rate, rep: 1, status: 'ok', error: undefined,
  migration_time_s, downtime_s: 1, network_bytes: 1000, iterations: 3, pages_sent: 0,
});
const fig4 = (system: string, cpu_time_s: number): Fig4Row => ({
  backend: 'x', system, memory_mb: 512, rep: 1, status: 'ok', error: undefined, cpu_time_s, mean_cpu_utilization_pct: undefined,
});

const alt = (system: string, rate: number, migration_time_s: number | undefined, slowdown = 10): AlternativesRow => ({
  backend: 'x', system, memory_mb: 256, dirty_region_mb: 128, dirty_pages_per_s: rate, rep: 1,
  status: migration_time_s === undefined ? 'failed' : 'ok', error: migration_time_s === undefined ? 'migration did not converge within 240 s' : undefined,
  chosen_system: undefined, chosen_reason: undefined,
  migration_time_s, downtime_s: migration_time_s === undefined ? undefined : 0.5, network_bytes: migration_time_s === undefined ? undefined : 1e8,
  iterations: 5, pages_sent: 100,
  guest_before_pages_per_s: rate, guest_during_pages_per_s: rate * (1 - slowdown / 100), guest_after_pages_per_s: rate,
  guest_slowdown_pct: migration_time_s === undefined ? undefined : slowdown,
});

describe('compareRuns on the alternatives experiment', () => {
  it("compares time, downtime, bytes and the guest's write rate kept where both sides finished, after the outcome", () => {
    const rows = compareRuns({ alternatives: [alt('postcopy', 2000, 33, 30)] }, { alternatives: [alt('postcopy', 2000, 30, 20)] });
    expect(rows.map((row) => row.metric)).toEqual([OUTCOME, 'migration_time_s', 'downtime_s', 'network_bytes', 'guest_rate_kept_pct']);
    expect(rows[0]).toMatchObject({ predicted: 1, measured: 1, error_pct: undefined });
    expect(rows[1]!.error_pct).toBeCloseTo(10, 10);
    // 70 % kept against 80 %: -12.5 %.
    expect(rows[4]).toMatchObject({ predicted: 70, measured: 80 });
    expect(rows[4]!.error_pct).toBeCloseTo(-12.5, 10);
  });

  it('compares a failed migration as an outcome only: both failed, or one side failed', () => {
    const predicted = { alternatives: [alt('precopy-qemu', 8000, undefined), alt('precopy-qemu', 4000, undefined), alt('xbzrle', 4000, 50)] };
    const measured = { alternatives: [alt('precopy-qemu', 8000, undefined), alt('precopy-qemu', 4000, 200), alt('xbzrle', 4000, undefined)] };
    const rows = compareRuns(predicted, measured);
    const verdicts = rows.filter((row) => row.metric === OUTCOME).map((row) => [row.system, row.dirty_pages_per_s, outcomeAgreement(row)]);
    expect(verdicts).toEqual([
      ['precopy-qemu', 4000, 'only the simulator failed'],
      ['precopy-qemu', 8000, 'both failed'],
      ['xbzrle', 4000, 'only the testbed failed'],
    ]);
    expect(rows.filter((row) => row.metric !== OUTCOME)).toEqual([]);
    // Outcomes stay out of the error summary.
    expect(summarise(rows)).toEqual([]);
  });

  it('gives a share of finished repetitions where they differ', () => {
    const rows = compareRuns(
      { alternatives: [alt('auto-converge', 8000, 100), alt('auto-converge', 8000, 110)] },
      { alternatives: [alt('auto-converge', 8000, 120), { ...alt('auto-converge', 8000, undefined), rep: 2 }] },
    );
    const outcome = rows.find((row) => row.metric === OUTCOME)!;
    expect(outcome).toMatchObject({ predicted: 1, measured: 0.5 });
    expect(outcomeAgreement(outcome)).toBe('mixed');
    expect(rows.find((row) => row.metric === 'migration_time_s')).toMatchObject({ predicted: 105, measured: 120 });
  });
});

describe('compareRuns', () => {
  it('matches points and metrics, averages repetitions and gives the relative error', () => {
    const rows = compareRuns(
      { fig2: [fig2('xen-nest', 128, 10), fig2('xen-nest', 128, 12)] },
      { fig2: [fig2('xen-nest', 128, 10)] },
    );
    const time = rows.find((row) => row.metric === 'migration_time_s')!;
    expect(time).toEqual({ system: 'xen-nest', memory_mb: 128, dirty_pages_per_s: 0, metric: 'migration_time_s', predicted: 11, measured: 10, error_pct: 10 });
    expect(rows.map((row) => row.metric)).toEqual(['migration_time_s', 'downtime_s', 'network_bytes', 'iterations', 'pages_sent']);
    // pages_sent measured 0: no relative error
    expect(rows.find((row) => row.metric === 'pages_sent')!.error_pct).toBeUndefined();
  });

  it("takes Fig. 6's idle point from Fig. 2 (one migration), and keeps its dirtying points", () => {
    const measured = { fig2: [fig2('xen-nest', 512, 40)], fig6: [fig6('xen-nest', 0, 41), fig6('xen-nest', 2000, 80)] };
    const predicted = { fig2: [fig2('xen-nest', 512, 44)], fig6: [fig6('xen-nest', 0, 45), fig6('xen-nest', 2000, 60)] };
    const times = compareRuns(predicted, measured).filter((row) => row.metric === 'migration_time_s');
    expect(times.map((row) => [row.dirty_pages_per_s, row.predicted, row.measured])).toEqual([
      [0, 44, 40],
      [2000, 60, 80],
    ]);
  });

  it('leaves a side empty where its runs failed, and ignores points only the simulator ran', () => {
    const rows = compareRuns(
      { fig2: [fig2('vmbeam', 128, undefined, 'failed'), fig2('vmbeam', 4096, 1)], fig4: [fig4('vmbeam', 0.03)] },
      { fig2: [fig2('vmbeam', 128, 0.04)], fig4: [fig4('vmbeam', 0.04)] },
    );
    const time = rows.find((row) => row.metric === 'migration_time_s')!;
    expect(time.predicted).toBeUndefined();
    expect(time.error_pct).toBeUndefined();
    expect(rows.some((row) => row.memory_mb === 4096)).toBe(false);
    expect(rows.find((row) => row.metric === 'cpu_time_s')!.error_pct).toBeCloseTo(-25, 10);
  });

  it('orders rows by system as the paper does, then memory and rate', () => {
    const rows = compareRuns(
      { fig2: [fig2('physical', 128, 1), fig2('vmbeam', 256, 1), fig2('vmbeam', 128, 1)] },
      { fig2: [fig2('physical', 128, 1), fig2('vmbeam', 256, 1), fig2('vmbeam', 128, 1)] },
    );
    expect([...new Set(rows.map((row) => `${row.system} ${row.memory_mb}`))]).toEqual(['vmbeam 128', 'vmbeam 256', 'physical 128']);
  });
});

describe('summarise', () => {
  it('gives the mean absolute and the mean signed error per metric and system', () => {
    const rows = compareRuns(
      { fig2: [fig2('xen-nest', 128, 11), fig2('xen-nest', 256, 18)] },
      { fig2: [fig2('xen-nest', 128, 10), fig2('xen-nest', 256, 20)] },
    );
    const time = summarise(rows).find((summary) => summary.metric === 'migration_time_s')!;
    expect(time.mapePct).toBeCloseTo(10, 10);
    expect(time.meanErrorPct).toBeCloseTo(0, 10);
    expect(time.n).toBe(2);
  });

  it('counts rows without an error apart', () => {
    const rows = compareRuns({ fig2: [fig2('xen-nest', 128, undefined, 'failed')] }, { fig2: [fig2('xen-nest', 128, 10)] });
    const time = summarise(rows).find((summary) => summary.metric === 'migration_time_s')!;
    expect(time).toMatchObject({ mapePct: undefined, n: 0, missing: 1 });
  });
});

describe('errorPct', () => {
  it('is relative to the measurement and undefined without one', () => {
    expect(errorPct(90, 100)).toBe(-10);
    expect(errorPct(1, 0)).toBeUndefined();
    expect(errorPct(undefined, 1)).toBeUndefined();
  });
});
