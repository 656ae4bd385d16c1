import { Bench } from 'tinybench';
import { describe, expect, it } from 'vitest';
import { sampleStatistics, secondsFromLatency, tCritical95, throughputFromLatency } from '../../harness/calibrate/stats.ts';

describe('sampleStatistics', () => {
  it('gives the mean and the t-based 95 % margin of error', () => {
    const stat = sampleStatistics([1, 2, 3, 4], 's');
    expect(stat.mean).toBe(2.5);
    // sd = sqrt(5/3), sem = sd / 2, t(3) = 3.182
    expect(stat.moe).toBeCloseTo(3.182 * Math.sqrt(5 / 3) / 2, 10);
    expect(stat.rme).toBeCloseTo((100 * stat.moe) / 2.5, 10);
    expect(stat).toMatchObject({ unit: 's', samples: 4, min: 1, max: 4 });
  });

  it('has no spread for identical samples', () => {
    expect(sampleStatistics([130, 130, 130], 'pages')).toMatchObject({ mean: 130, moe: 0, rme: 0 });
  });

  it('refuses a single sample and non-finite ones', () => {
    expect(() => sampleStatistics([1], 's')).toThrow(/at least 2 samples/);
    expect(() => sampleStatistics([1, Number.NaN], 's')).toThrow(/non-finite/);
  });

  it('agrees with tinybench on the same samples', async () => {
    const durationsMs = [12, 15, 11, 19, 14, 13];
    let next = 0;
    const bench = new Bench({ iterations: durationsMs.length, time: 0, warmup: false, throws: true });
    // async, as the testbed's tasks are: tinybench then needs no probing call to detect it.
    bench.add('fixed durations', async () => ({ overriddenDuration: durationsMs[next++]! }));
    await bench.run();
    const result = bench.tasks[0]!.result;
    if (result.state !== 'completed') throw new Error(result.state);
    const ours = sampleStatistics(durationsMs.map((ms) => ms / 1000), 's');
    const theirs = secondsFromLatency(result.latency);
    expect(next).toBe(durationsMs.length);
    expect(theirs.samples).toBe(ours.samples);
    expect(theirs.mean).toBeCloseTo(ours.mean, 12);
    expect(theirs.moe).toBeCloseTo(ours.moe, 4);
    expect([theirs.min, theirs.max]).toEqual([ours.min, ours.max]);
  });
});

describe('tCritical95', () => {
  it('falls from 12.7 at one degree of freedom towards 1.96 and never goes below the exact value', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(30)).toBe(2.042);
    expect(tCritical95(45)).toBe(2.021); // exact t(45) = 2.014: rounded up, not down
    expect(tCritical95(5000)).toBe(1.96);
    expect(() => tCritical95(0)).toThrow();
  });
});

describe('throughputFromLatency', () => {
  it('turns milliseconds per operation into bytes per second with the same relative margin', () => {
    const rate = throughputFromLatency({ mean: 2, moe: 0.1, samplesCount: 50, min: 1.5, max: 4 }, 1_000_000);
    expect(rate).toEqual({ unit: 'B/s', mean: 500_000_000, moe: 25_000_000, rme: 5, samples: 50, min: 250_000_000, max: 1_000_000_000 / 1.5 });
  });
});
