import { describe, expect, it } from 'vitest';
import { pathBytesPerS } from '../../../harness/backends/sim/derived.ts';
import { PRECOPY_PATHS, STAGE_THROUGHPUT_MBPS } from '../../../harness/backends/sim/parameters.ts';
import { simulateMigration } from '../../../harness/backends/sim/simulate.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';
import { PAPER_SYSTEMS } from '../../../harness/systems.ts';

const MB = 1024 * 1024;
const PRECOPY_SYSTEMS = PAPER_SYSTEMS.filter((system) => system !== 'vmbeam');

function point(system: MigrationPoint['system'], memoryMb: number, dirtyPagesPerS = 0): MigrationPoint {
  return { figure: '6', system, memoryMb, dirtyRegionMb: dirtyPagesPerS > 0 ? memoryMb / 2 : 0, dirtyPagesPerS, guestDom0Cpus: 1 };
}

describe('simulateMigration', () => {
  it.each(PRECOPY_SYSTEMS)('%s puts at least the guest memory on the link', (system) => {
    for (const memoryMb of [128, 1024]) {
      const result = simulateMigration(point(system, memoryMb), 1);
      expect(result.networkBytes!).toBeGreaterThanOrEqual(memoryMb * MB);
    }
  });

  it.each(PRECOPY_SYSTEMS)('%s takes at least its bytes over the path throughput', (system) => {
    for (const dirty of [0, 4000]) {
      const result = simulateMigration(point(system, 512, dirty), 2);
      const streamBytes = result.pagesSent! * 4096;
      expect(result.migrationTimeS).toBeGreaterThanOrEqual(streamBytes / pathBytesPerS(PRECOPY_PATHS[system].stages, STAGE_THROUGHPUT_MBPS));
    }
  });

  it('zero-copy puts almost nothing on the link and ignores the dirty rate', () => {
    const idle = simulateMigration(point('vmbeam', 2048), 1);
    const busy = simulateMigration(point('vmbeam', 2048, 10000), 1);
    expect(idle.networkBytes!).toBeLessThan(1 * MB);
    expect(idle.pagesSent).toBe(0);
    expect(idle.iterations).toBe(1);
    // Only what the guest's own workload felt differs: the migration is the same.
    const { guestWrites, ...migration } = busy;
    expect(migration).toEqual(idle);
    expect(guestWrites).toEqual({ beforePagesPerS: 10000, duringPagesPerS: 10000 * (1 - idle.downtimeS! / idle.migrationTimeS), afterPagesPerS: 10000 });
  });

  it('zero-copy time grows with memory, its downtime hardly', () => {
    const small = simulateMigration(point('vmbeam', 128), 1);
    const large = simulateMigration(point('vmbeam', 4096), 1);
    expect(large.migrationTimeS).toBeGreaterThan(small.migrationTimeS * 2);
    expect(large.downtimeS! / small.downtimeS!).toBeLessThan(1.2);
  });

  it('dropping encryption makes a pre-copy path faster', () => {
    const nest = simulateMigration(point('xen-nest', 1024), 1);
    const nestPlain = simulateMigration(point('xen-nest-nocipher', 1024), 1);
    const blanket = simulateMigration(point('xen-blanket', 1024), 1);
    const blanketPlain = simulateMigration(point('xen-blanket-nocipher', 1024), 1);
    expect(nestPlain.migrationTimeS).toBeLessThan(nest.migrationTimeS);
    expect(blanketPlain.migrationTimeS).toBeLessThan(blanket.migrationTimeS);
  });

  it('bins the link bandwidth per second, summing to the bytes on the link', () => {
    const result = simulateMigration(point('xen-blanket', 512), 1);
    const binnedBytes = result.bandwidthSeries.reduce((sum, sample) => sum + (sample.value * 1e6) / 8, 0);
    expect(binnedBytes / result.networkBytes!).toBeCloseTo(1, 6);
    expect(result.bandwidthSeries.map((sample) => sample.tS)).toEqual(result.bandwidthSeries.map((_, i) => i));
  });
});
