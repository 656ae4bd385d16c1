import { describe, expect, it } from 'vitest';
import { toMeasurement } from '../../../harness/backends/qemu/backend.ts';
import type { QemuMigrationMeasurement } from '../../../harness/backends/qemu/types.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';

const point = (system: MigrationPoint['system']): MigrationPoint => ({
  figure: 'alternatives',
  system,
  memoryMb: 256,
  dirtyRegionMb: 128,
  dirtyPagesPerS: 2000,
  guestDom0Cpus: 1,
  giveUpAfterS: 240,
});

const measured: QemuMigrationMeasurement = {
  migrationTimeS: 21.9,
  wallTimeS: 21.9,
  downtimeS: 0.03,
  resumedAfterS: 18.2,
  endedAfterS: 22.1,
  guestDowntimeS: 0.2,
  networkBytes: 300e6,
  iterations: 3,
  pagesSent: 70_000,
  cpuTimeS: 5,
  bandwidthSeries: [],
  cpuSeries: [],
  guestMemoryMb: 256,
  accel: 'tcg',
  qemuVersion: '7.2.22',
  scheme: 'postcopy',
  switchedToPostcopy: true,
  guestWrites: { beforePagesPerS: 2000, duringPagesPerS: 1500, afterPagesPerS: 1990 },
  autoDecision: undefined,
};

describe("the qemu backend's measurement", () => {
  it('times a post-copy migration to its end, not to the RESUME, with the downtime from STOP to RESUME', () => {
    const m = toMeasurement(point('postcopy'), measured);
    expect(m.migrationTimeS).toBe(22.1);
    expect(m.transferDurationS).toBe(22.1);
    expect(m.downtimeS).toBe(0.2);
  });

  it("carries the guest's writes and, for auto only, what it chose and why", () => {
    const decision = {
      system: 'vmbeam' as const,
      reason: "same host and the guest's memory is reachable from the destination: zero-copy",
      sourceBootId: 'x',
      destinationBootId: 'x',
      sharedMemoryReachable: true,
      linkPagesPerS: 2900,
      dirtyPagesPerS: 2000,
    };
    const auto = toMeasurement(point('auto'), { ...measured, scheme: 'vmbeam', autoDecision: decision });
    expect(auto.chosen).toEqual({ system: 'vmbeam', reason: decision.reason });
    expect(auto.guestWrites).toEqual(measured.guestWrites);
    // What reached the destination is the relocated memory when auto chose zero-copy.
    expect(auto.transferredBytes).toBe(256 * 1024 * 1024);
    expect(toMeasurement(point('postcopy'), measured).chosen).toBeUndefined();
    expect(toMeasurement(point('postcopy'), measured).transferredBytes).toBe(70_000 * 4096);
  });

  it('leaves the guest columns empty for an idle guest', () => {
    expect(toMeasurement(point('xen-nest'), { ...measured, scheme: 'xen-nest', guestWrites: undefined }).guestWrites).toBeUndefined();
  });
});
