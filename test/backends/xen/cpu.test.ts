import { describe, expect, it } from 'vitest';
import { cpuAt, cpuBetween } from '../../../harness/backends/xen/cpu.ts';

describe('CPU from cumulative counters', () => {
  const readings = [
    { tMs: 0, cpuS: 10 },
    { tMs: 1000, cpuS: 11 },
    { tMs: 2000, cpuS: 12.5 },
    { tMs: 3000, cpuS: 13 },
  ];

  it('interpolates the counter between readings and knows nothing outside them', () => {
    expect(cpuAt(readings, 1500)).toBeCloseTo(11.75);
    expect(cpuAt(readings, -1)).toBeUndefined();
    expect(cpuAt(readings, 3001)).toBeUndefined();
  });

  it('takes the migration CPU time as the counters difference and bins it per second', () => {
    const cpu = cpuBetween(readings, 500, 2500)!;
    expect(cpu.totalS).toBeCloseTo(12.75 - 10.5);
    // 0.5 s of 1 core/s, 0.5 s at 1.5 core/s in bin 0; then 0.5 s at 1.5 and 0.5 s at 0.5 in bin 1.
    expect(cpu.series.map((sample) => sample.tS)).toEqual([0, 1]);
    expect(cpu.series[0]!.value).toBeCloseTo(125);
    expect(cpu.series[1]!.value).toBeCloseTo(100);
  });

  it('is unknown when the readings do not cover the migration', () => {
    expect(cpuBetween(readings, 500, 4000)).toBeUndefined();
    expect(cpuBetween([], 0, 1)).toBeUndefined();
  });
});
