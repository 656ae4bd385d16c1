import { describe, expect, it } from 'vitest';
import { streamBytesPerS } from '../../../harness/backends/sim/derived.ts';
import { PAPER_PARAMETERS, QEMU_SCHEMES } from '../../../harness/backends/sim/parameters.ts';
import { simulateMigration } from '../../../harness/backends/sim/simulate.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';
import type { SystemName } from '../../../harness/systems.ts';

const NEST = PAPER_PARAMETERS.precopyPaths['xen-nest'];
const BYTES_PER_S = streamBytesPerS(NEST.stages, PAPER_PARAMETERS);
/** The Xen-Nest path's page rate, QEMU's page on the stream: about 2,960 pages/s. */
const LINK_PAGES_PER_S = BYTES_PER_S / (4096 + 8);

function point(system: SystemName, dirtyPagesPerS: number, memoryMb = 256, dirtyRegionMb = memoryMb / 2, giveUpAfterS = 240): MigrationPoint {
  return { figure: 'alternatives', system, memoryMb, dirtyRegionMb, dirtyPagesPerS, guestDom0Cpus: 1, giveUpAfterS };
}

const slowdown = (system: SystemName, rate: number, ...rest: [number?, number?]) => {
  const writes = simulateMigration(point(system, rate, ...rest), 1).guestWrites!;
  return 1 - writes.duringPagesPerS / writes.beforePagesPerS;
};

describe("QEMU's own pre-copy (precopy-qemu)", () => {
  it('converges below the link rate, its stop-and-copy within the downtime limit', () => {
    const result = simulateMigration(point('precopy-qemu', 1000), 1);
    expect(1000).toBeLessThan(LINK_PAGES_PER_S / 2);
    expect(result.downtimeS! - NEST.finalStageS).toBeLessThanOrEqual(QEMU_SCHEMES.downtimeLimitS + 1e-9);
    expect(result.iterations).toBeGreaterThan(3);
  });

  it('never converges above the link rate: failed once the experiment gives up', () => {
    expect(4000).toBeGreaterThan(LINK_PAGES_PER_S);
    expect(() => simulateMigration(point('precopy-qemu', 4000), 1)).toThrow(/^migration did not converge within 240 s \(\d+ passes, \d+ pages sent: the dirty pages never fit the downtime limit\); cancelled$/);
  });

  it("counts the guest's stop-and-copy as the only time it writes less", () => {
    const result = simulateMigration(point('precopy-qemu', 1000), 1);
    expect(result.guestWrites).toEqual({
      beforePagesPerS: 1000,
      duringPagesPerS: (1000 * (result.migrationTimeS - result.downtimeS!)) / result.migrationTimeS,
      afterPagesPerS: 1000,
    });
  });

  it('is deterministic in its seed and needs a give-up time', () => {
    expect(simulateMigration(point('precopy-qemu', 2000), 7)).toEqual(simulateMigration(point('precopy-qemu', 2000), 7));
    const { giveUpAfterS: _, ...forever } = point('precopy-qemu', 4000);
    expect(() => simulateMigration(forever, 1)).toThrow(/give the point a giveUpAfterS/);
  });
});

describe('auto-converge', () => {
  it('converges where plain pre-copy does not, by slowing the guest down', () => {
    const result = simulateMigration(point('auto-converge', 4000), 1);
    expect(result.migrationTimeS).toBeLessThan(240);
    expect(result.guestWrites!.duringPagesPerS).toBeLessThan(0.9 * 4000);
    expect(result.guestWrites!.afterPagesPerS).toBe(4000);
  });

  it('leaves a guest alone that dirties less than half the link rate (the trigger never holds)', () => {
    expect(simulateMigration(point('auto-converge', 1000), 1)).toEqual(simulateMigration(point('precopy-qemu', 1000), 1));
  });

  it('slows the guest down more the faster it dirties', () => {
    expect(slowdown('auto-converge', 8000)).toBeGreaterThan(slowdown('auto-converge', 4000));
  });
});

describe('xbzrle', () => {
  // A 64 MB guest has as many pages as the 64 MiB cache has slots: every page has a slot of its own.
  it('converges where plain pre-copy does not when the hot set fits the cache', () => {
    expect(() => simulateMigration(point('precopy-qemu', 4000, 64, 32, 120), 1)).toThrow(/did not converge/);
    const result = simulateMigration(point('xbzrle', 4000, 64, 32, 120), 1);
    expect(result.migrationTimeS).toBeLessThan(30);
  });

  it('sends fewer bytes than plain pre-copy when the hot set fits, and about the same when it does not', () => {
    const small = (system: SystemName) => simulateMigration(point(system, 2000, 64, 32, 120), 1).networkBytes!;
    expect(small('xbzrle')).toBeLessThan(small('precopy-qemu'));
    // A 1 GB region against 16,384 slots: at most 1 page in 16 can hit.
    const large = (system: SystemName) => simulateMigration(point(system, 1000, 2048, 1024, 1800), 1).networkBytes!;
    expect(large('xbzrle') / large('precopy-qemu')).toBeGreaterThan(0.97);
    expect(large('xbzrle')).toBeLessThanOrEqual(large('precopy-qemu'));
    expect(() => simulateMigration(point('xbzrle', 4000, 2048, 1024, 1800), 1)).toThrow(/did not converge/);
  });
});

describe('multifd', () => {
  it("gains nothing on a link-bound path: the channels share it, and the extra channel's queue drains in the downtime", () => {
    const single = simulateMigration(point('precopy-qemu', 1000), 1);
    const multi = simulateMigration(point('multifd', 1000), 1);
    expect(multi.migrationTimeS / single.migrationTimeS).toBeGreaterThan(0.99);
    expect(multi.migrationTimeS / single.migrationTimeS).toBeLessThan(1.02);
    const queueS = QEMU_SCHEMES.multifd.channelQueueBytes / BYTES_PER_S;
    expect(multi.downtimeS! - single.downtimeS!).toBeGreaterThan(queueS - QEMU_SCHEMES.downtimeLimitS);
    expect(() => simulateMigration(point('multifd', 4000), 1)).toThrow(/did not converge/);
  });
});

describe('postcopy', () => {
  it('finishes at any rate, each page sent at most twice: once in pass 1, once more if stale', () => {
    for (const rate of [1000, 8000]) {
      const result = simulateMigration(point('postcopy', rate), 1);
      expect(result.pagesSent!).toBeGreaterThan(256 * 256);
      expect(result.pagesSent!).toBeLessThanOrEqual(256 * 256 + 128 * 256);
      expect(result.iterations).toBe(3);
    }
  });

  it('stops the guest for less than Xen-style pre-copy does at high rates, and slows it down', () => {
    const post = simulateMigration(point('postcopy', 8000), 1);
    const xen = simulateMigration(point('xen-nest', 8000), 1);
    expect(post.downtimeS!).toBeLessThan(xen.downtimeS! / 5);
    expect(slowdown('postcopy', 8000)).toBeGreaterThan(0);
    // Faults stall the guest far more than pre-copy's stop-and-copy would.
    expect(slowdown('postcopy', 8000)).toBeGreaterThan(slowdown('xen-nest', 8000));
  });

  it("ends when the last stale page arrives: the switch's downtime, then the push at the link rate", () => {
    const result = simulateMigration(point('postcopy', 8000), 1);
    const stale = result.pagesSent! - 256 * 256;
    const pushS = (stale * (4096 + 8)) / BYTES_PER_S;
    const pass1S = PAPER_PARAMETERS.precopySetupS + (256 * 256 * (4096 + 8)) / BYTES_PER_S;
    expect(result.migrationTimeS).toBeCloseTo(pass1S + result.downtimeS! + pushS, 6);
  });
});
