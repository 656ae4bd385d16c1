import { describe, expect, it } from 'vitest';
import { autoFacts } from '../../../harness/backends/sim/auto.ts';
import { streamBytesPerS } from '../../../harness/backends/sim/derived.ts';
import { PAPER_PARAMETERS } from '../../../harness/backends/sim/parameters.ts';
import type { SimParameters } from '../../../harness/backends/sim/parameter-types.ts';
import { simulateMigration } from '../../../harness/backends/sim/simulate.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';
import type { SystemName } from '../../../harness/systems.ts';

const point = (system: SystemName, dirtyPagesPerS: number): MigrationPoint => ({
  figure: 'alternatives', system, memoryMb: 256, dirtyRegionMb: 128, dirtyPagesPerS, guestDom0Cpus: 1, giveUpAfterS: 240,
});
const placed = (sameHost: boolean, sharedMemoryReachable: boolean): SimParameters => ({ ...PAPER_PARAMETERS, placement: { sameHost, sharedMemoryReachable } });

describe('auto in the simulator', () => {
  it("learns the Xen-Nest path's page rate and the guest's dirty rate", () => {
    const facts = autoFacts(point('auto', 3000), PAPER_PARAMETERS);
    expect(facts).toEqual({
      sameHost: true,
      sharedMemoryReachable: true,
      linkPagesPerS: streamBytesPerS(PAPER_PARAMETERS.precopyPaths['xen-nest'].stages, PAPER_PARAMETERS) / 4096,
      dirtyPagesPerS: 3000,
    });
  });

  it("picks zero-copy co-located (the experiment's placement) and runs it", () => {
    const { chosen, ...migration } = simulateMigration(point('auto', 8000), 1);
    expect(chosen?.system).toBe('vmbeam');
    expect(chosen?.reason).toMatch(/zero-copy/);
    expect(migration).toEqual(simulateMigration(point('vmbeam', 8000), 1));
  });

  it('picks a pre-copy scheme for a remote destination: plain pre-copy below half the link rate, post-copy above', () => {
    const remote = placed(false, false);
    const slow = simulateMigration(point('auto', 1000), 1, remote);
    expect(slow.chosen?.system).toBe('precopy-qemu');
    expect(slow.chosen?.reason).toMatch(/another host/);
    const { chosen: _, ...slowMigration } = slow;
    expect(slowMigration).toEqual(simulateMigration(point('precopy-qemu', 1000), 1, remote));
    expect(simulateMigration(point('auto', 4000), 1, remote).chosen?.system).toBe('postcopy');
  });

  it("treats a destination on the same host that cannot reach the guest's memory as remote", () => {
    const chosen = simulateMigration(point('auto', 1000), 1, placed(true, false)).chosen;
    expect(chosen?.system).toBe('precopy-qemu');
    expect(chosen?.reason).toMatch(/hidden/);
  });
});
