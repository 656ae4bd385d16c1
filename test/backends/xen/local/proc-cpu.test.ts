import { describe, expect, it } from 'vitest';
import { parseProcStatCpuS, procCpuSource } from '../../../../harness/backends/xen/local/proc-cpu.ts';

describe("the cloud VMs' CPU from /proc/<pid>/stat", () => {
  it('adds utime and stime (fields 14 and 15, in clock ticks), even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (qemu (a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 7 8 20 0 3 0 500 1 1';
    expect(parseProcStatCpuS(stat)).toBeCloseTo(18);
    expect(parseProcStatCpuS('garbage')).toBeUndefined();
  });

  it('reads this process cumulatively: the counter never goes back', async () => {
    const sampling = procCpuSource([process.pid]).start(new AbortController().signal);
    const until = performance.now() + 250;
    while (performance.now() < until) Math.sqrt(Math.random());
    const readings = await sampling.stop();
    expect(readings.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < readings.length; i++) {
      expect(readings[i]!.tMs).toBeGreaterThanOrEqual(readings[i - 1]!.tMs);
      expect(readings[i]!.cpuS).toBeGreaterThanOrEqual(readings[i - 1]!.cpuS);
    }
  });
});
