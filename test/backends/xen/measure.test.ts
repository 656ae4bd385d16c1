import { describe, expect, it } from 'vitest';
import { cpuLoad, downtime, networkLoad } from '../../../harness/backends/xen/measure.ts';
import { heartbeatPauseS, HEARTBEAT_MS } from '../../../harness/backends/xen/workload.ts';
import type { MigrationEvidence } from '../../../harness/backends/xen/measure.ts';

const log = (times: { suspendMs?: number; targetStartedMs?: number; successMs: number }): MigrationEvidence['log'] => ({
  status: 'succeeded',
  times: { suspendMs: times.suspendMs, targetStartedMs: times.targetStartedMs, successMs: times.successMs },
  iterations: 2,
  pagesSent: 10,
  passStats: [],
  handshake: [],
  recognised: 3,
});

describe('measurement from evidence', () => {
  it('network bytes from the first and last sample; 1 s bins in Mbit/s; transfer duration over the busy intervals', () => {
    const start = 10_000;
    const load = networkLoad(
      [
        { tMs: start - 200, rxBytes: 0, txBytes: 1_000 },
        { tMs: start + 1_000, rxBytes: 0, txBytes: 1_000 + 125_000_000 },
        { tMs: start + 2_000, rxBytes: 0, txBytes: 1_000 + 250_000_000 },
        { tMs: start + 2_500, rxBytes: 0, txBytes: 1_000 + 250_000_100 },
      ],
      start,
    );
    expect(load.bytes).toBe(250_000_100);
    expect(load.series.map((bin) => bin.tS)).toEqual([0, 1, 2]);
    expect(load.series[0]!.value).toBeCloseTo(1000);
    expect(load.series[1]!.value).toBeCloseTo(1000);
    expect(load.series[2]!.value).toBeCloseTo(0.0016);
    // The trickle after 2 s is under a tenth of the peak rate: not part of the transfer.
    expect(load.transferDurationS).toBeCloseTo(2);
    expect(networkLoad([{ tMs: 0, rxBytes: 0, txBytes: 5 }], 0).bytes).toBeUndefined();
    expect(networkLoad([{ tMs: 0, rxBytes: 0, txBytes: 5 }, { tMs: 1, rxBytes: 0, txBytes: 4 }], 0).bytes).toBeUndefined();
    expect(networkLoad([{ tMs: 0, rxBytes: 0, txBytes: 5 }, { tMs: 1, rxBytes: 0, txBytes: 5 }], 0)).toEqual({
      bytes: 0,
      transferDurationS: undefined,
      series: [],
    });
  });

  it('CPU from the xentop frames covering the migration, each over its delay', () => {
    const frame = (tMs: number, pct: number) => ({ tMs, domains: [{ name: 'Domain-0', cpuS: 1, cpuPct: pct }, { name: 'other', cpuS: 1, cpuPct: 50 }] });
    const cpu = cpuLoad(
      { frames: [frame(900, 100), frame(1_900, 150), frame(2_900, 200), frame(3_900, 80), frame(5_900, 999)], delayS: 1, domains: ['Domain-0'] },
      1_000,
      3_000,
    );
    // 1.5 + 2.0 + 0.8 CPU seconds; the frame at 0.9 s is before the start, the one at 5.9 s too late.
    expect(cpu!.totalS).toBeCloseTo(4.3);
    expect(cpu!.series.map((bin) => bin.tS)).toEqual([0, 1, 2]);
    // The frame at 1.9 s covers 0.9–1.9 s, clipped to the start: all of it lands in bin 0.
    expect(cpu!.series[0]!.value).toBeCloseTo(150 + 200 * 0.1);
    expect(cpuLoad({ frames: [frame(900, 100)], delayS: 1, domains: undefined }, 1_000, 3_000)).toBeUndefined();
  });

  it('downtime: heartbeat gap when bounded on both sides, else suspend to startup report', () => {
    const beats = [0, 20, 40, 60, 80, 700, 720, 740];
    expect(heartbeatPauseS(beats, 50, 710)).toBeCloseTo((620 - HEARTBEAT_MS) / 1000);
    expect(heartbeatPauseS(beats, 50, 800)).toBeUndefined();
    expect(downtime(log({ suspendMs: 50, targetStartedMs: 650, successMs: 710 }), beats, 0)).toBeCloseTo(0.6);
    expect(downtime(log({ suspendMs: 50, targetStartedMs: 650, successMs: 710 }), undefined, 0)).toBeCloseTo(0.6);
    expect(downtime(log({ suspendMs: 50, targetStartedMs: 450, successMs: 900 }), beats, 0)).toBeCloseTo(0.4);
    expect(downtime(log({ targetStartedMs: 650, successMs: 710 }), undefined, 0)).toBeUndefined();
  });
});
