import { describe, expect, it } from 'vitest';
import { drawsNothing, expectedWork } from '../../../harness/backends/sim/cost.ts';
import { streamBytesPerS } from '../../../harness/backends/sim/derived.ts';
import { PAPER_PARAMETERS } from '../../../harness/backends/sim/parameters.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';
import type { SystemName } from '../../../harness/systems.ts';

const point = (system: SystemName, dirtyPagesPerS: number, giveUpAfterS?: number): MigrationPoint => ({
  figure: 'alternatives', system, memoryMb: 2048, dirtyRegionMb: 1024, dirtyPagesPerS, guestDom0Cpus: 1,
  ...(giveUpAfterS === undefined ? {} : { giveUpAfterS }),
});
const remote = { ...PAPER_PARAMETERS, placement: { sameHost: false, sharedMemoryReachable: false } };

describe("what the runner may know of a simulated point beforehand", () => {
  it('a migration that draws no random numbers is the same in every repetition: an idle guest, zero-copy, auto choosing zero-copy', () => {
    expect(drawsNothing(point('xen-nest', 0), PAPER_PARAMETERS)).toBe(true);
    expect(drawsNothing(point('vmbeam', 8000), PAPER_PARAMETERS)).toBe(true);
    expect(drawsNothing(point('auto', 8000), PAPER_PARAMETERS)).toBe(true);
    expect(drawsNothing(point('auto', 8000), remote)).toBe(false);
    expect(drawsNothing(point('postcopy', 1000), PAPER_PARAMETERS)).toBe(false);
  });

  it('costs what the model draws and sends up to the give-up time; zero-copy and an idle guest only the fixed cost', () => {
    const zeroCopy = expectedWork(point('vmbeam', 8000), PAPER_PARAMETERS);
    const idle = expectedWork(point('precopy-qemu', 0, 1800), PAPER_PARAMETERS);
    const dirtying = expectedWork(point('precopy-qemu', 8000, 1800), PAPER_PARAMETERS);
    expect(idle).toBe(zeroCopy);
    const linkPagesPerS = streamBytesPerS(PAPER_PARAMETERS.precopyPaths['xen-nest'].stages, PAPER_PARAMETERS) / 4096;
    expect(dirtying - idle).toBeCloseTo((8000 + linkPagesPerS) * 1800, 3);
    expect(expectedWork(point('precopy-qemu', 8000, 600), PAPER_PARAMETERS)).toBeLessThan(dirtying);
    // Xen's caps bound its migration below the give-up time.
    expect(expectedWork(point('xen-nest', 8000, 1800), PAPER_PARAMETERS)).toBeLessThan(dirtying);
  });
});
