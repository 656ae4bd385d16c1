import { describe, expect, it } from 'vitest';
import { CpuCounter, binSamples, parseStatPpid, parseStatTicks, processTree } from '../../../harness/backends/qemu/sampler.ts';

describe('binning of counter samples', () => {
  it('spreads counter growth over aligned 1 s bins from the first sample', () => {
    const series = binSamples(
      [
        { tMs: 100, linkBytes: 1000, cpuTicks: 50 },
        { tMs: 1100, linkBytes: 1000 + 12_500_000, cpuTicks: 150 },
        { tMs: 2100, linkBytes: 1000 + 25_000_000, cpuTicks: 200 },
        { tMs: 2600, linkBytes: 1000 + 25_000_000 + 6_250_000, cpuTicks: 250 },
      ],
      100,
    );
    expect(series.bandwidthSeries.map((point) => point.tS)).toEqual([0, 1, 2]);
    expect(series.cpuSeries.map((point) => point.tS)).toEqual([0, 1, 2]);
    // The last bin holds half a second at 100 Mbit/s.
    expect(series.bandwidthSeries.map((point) => Math.round(point.mbps))).toEqual([100, 100, 50]);
    expect(series.cpuSeries.map((point) => Math.round(point.utilizationPct))).toEqual([100, 50, 50]);
  });

  it('splits a sampling interval that straddles a bin boundary', () => {
    const series = binSamples(
      [
        { tMs: 0, linkBytes: 0, cpuTicks: 0 },
        { tMs: 500, linkBytes: 0, cpuTicks: 0 },
        { tMs: 1500, linkBytes: 12_500_000, cpuTicks: 100 },
      ],
      100,
    );
    expect(series.bandwidthSeries.map((point) => point.mbps)).toEqual([50, 50]);
    expect(series.cpuSeries.map((point) => point.utilizationPct)).toEqual([50, 50]);
  });

  it('is empty for fewer than two samples and skips zero-length intervals', () => {
    expect(binSamples([], 100)).toEqual({ bandwidthSeries: [], cpuSeries: [] });
    expect(binSamples([{ tMs: 0, linkBytes: 0, cpuTicks: 0 }], 100)).toEqual({ bandwidthSeries: [], cpuSeries: [] });
    const series = binSamples(
      [
        { tMs: 5, linkBytes: 0, cpuTicks: 0 },
        { tMs: 5, linkBytes: 10, cpuTicks: 1 },
      ],
      100,
    );
    expect(series.bandwidthSeries).toEqual([]);
  });
});

describe('/proc parsing', () => {
  it('reads utime+stime and ppid even when the command name has spaces and parentheses', () => {
    const stat = '1234 (qemu (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 5 0 100 0 0';
    expect(parseStatTicks(stat)).toBe(325);
    expect(parseStatPpid(stat)).toBe(1);
  });

  it('counts this process and finds it in its own tree', () => {
    expect(processTree(process.pid)).toContain(process.pid);
    const counter = new CpuCounter([process.pid, 999_999_999]);
    let spin = 0;
    const until = performance.now() + 50;
    while (performance.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(counter.read()).toBeGreaterThan(0);
  });
});
