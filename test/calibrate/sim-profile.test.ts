import { describe, expect, it } from 'vitest';
import { LINK_PROFILES } from '../../harness/backends/qemu/link-profiles.ts';
import { cpuSecondsPerStreamByte, dataPages } from '../../harness/backends/sim/derived.ts';
import { PAPER_PARAMETERS } from '../../harness/backends/sim/parameters.ts';
import type { SimParameters } from '../../harness/backends/sim/parameter-types.ts';
import { simulateMigration } from '../../harness/backends/sim/simulate.ts';
import { linkAt } from '../../harness/calibrate/profile.ts';
import { PROFILE_DIFFERENCES, differenceRows, hostInputs, hostParameters } from '../../harness/calibrate/sim-profile/index.ts';
import { sampleStatistics } from '../../harness/calibrate/stats.ts';
import type { MigrationPoint } from '../../harness/experiment.ts';
import { syntheticProfile } from './synthetic-profile.ts';

const inputs = (policy: 'xen' | 'qemu' = 'xen') => hostInputs(syntheticProfile(), 'synthetic.json', policy, 900);
const host = (policy: 'xen' | 'qemu' = 'xen') => hostParameters(inputs(policy));

function point(system: MigrationPoint['system'], memoryMb: number, dirtyPagesPerS = 0): MigrationPoint {
  return { figure: '6', system, memoryMb, dirtyRegionMb: dirtyPagesPerS > 0 ? memoryMb / 2 : 0, dirtyPagesPerS, guestDom0Cpus: 1 };
}

/** Every leaf path where two parameter values differ (`a.b.c`). */
function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
  return Object.is(a, b) ? [] : [path];
}

const claimedBy = (path: string) =>
  PROFILE_DIFFERENCES.filter((entry) =>
    entry.paths.some((pattern) => {
      const regex = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^.]+')}(\\.|$)`);
      return regex.test(path);
    }),
  );

describe('profiles: everything that differs is listed in calibrate/sim-profile', () => {
  it.each(['xen', 'qemu'] as const)('every parameter the host profile changes (policy %s) is claimed by an entry', (policy) => {
    const changed = differingPaths(PAPER_PARAMETERS, host(policy));
    expect(changed.length).toBeGreaterThan(10);
    const unclaimed = changed.filter((path) => claimedBy(path).length === 0);
    expect(unclaimed).toEqual([]);
  });

  it('has no entry that changes nothing, and no two entries claiming one parameter', () => {
    const changed = differingPaths(PAPER_PARAMETERS, host('xen'));
    for (const entry of PROFILE_DIFFERENCES) {
      const mine = changed.filter((path) => claimedBy(path).includes(entry));
      expect(mine.length, entry.id).toBeGreaterThan(0);
    }
    for (const path of changed) expect(claimedBy(path).length, path).toBe(1);
    expect(new Set(PROFILE_DIFFERENCES.map((entry) => entry.id)).size).toBe(PROFILE_DIFFERENCES.length);
  });

  it('leaves the paper parameters untouched', () => {
    const before = JSON.stringify(PAPER_PARAMETERS);
    host('qemu');
    expect(JSON.stringify(PAPER_PARAMETERS)).toBe(before);
  });

  it('renders every difference with both values and a source', () => {
    for (const row of differenceRows(inputs())) {
      expect(row.paper, row.id).not.toBe(row.host);
      expect(row.hostSource.length, row.id).toBeGreaterThan(10);
      expect(row.paperSource.length, row.id).toBeGreaterThan(5);
    }
  });

  it('refuses a profile without testbed costs, or without a link the testbed uses, saying what to run', () => {
    const profile = { ...syntheticProfile(), testbed: { status: 'unavailable' as const, reason: 'not measured (--no-testbed)' } };
    expect(() => hostInputs(profile, 'p.json', 'xen', 900)).toThrow(/npm run calibrate/);
    const partial = syntheticProfile();
    if (partial.testbed.status !== 'measured') throw new Error('synthetic profile has a testbed');
    partial.testbed.links = partial.testbed.links.filter((link) => link.rateMbitPerS !== 300);
    expect(() => hostParameters(hostInputs(partial, 'p.json', 'xen', 900))).toThrow(
      /^the host profile has no measurement of a 300 Mbit\/s link \(it has 100, 1000\): run 'npm run calibrate' again$/,
    );
  });
});

describe('host profile: the qemu testbed mechanisms', () => {
  const payloadBytesPerS = (system: keyof typeof LINK_PROFILES) => linkAt(inputs().testbed, LINK_PROFILES[system].rateMbitPerS).payloadBytesPerS.mean;

  it('pre-copy of an idle guest is link-bound: bytes over the link payload rate plus fixed costs and the queue', () => {
    const parameters = host();
    for (const system of ['xen-nest', 'xen-blanket', 'xen-nest-nocipher', 'physical'] as const) {
      const result = simulateMigration(point(system, 256), 1, parameters);
      const path = parameters.precopyPaths[system];
      const streamBytes = result.networkBytes! / path.wireBytesPerStreamByte;
      const expected = streamBytes / payloadBytesPerS(system) + parameters.precopySetupS + path.finalStageS + path.inFlightBytesAtStop / payloadBytesPerS(system);
      expect(result.migrationTimeS / expected, system).toBeCloseTo(1, 2);
    }
  });

  it('sends zero pages as short records: fewer bytes than pages x 4 KiB', () => {
    const result = simulateMigration(point('xen-nest-nocipher', 512), 1, host());
    const parameters = host();
    const data = dataPages(512, parameters.guestMemory, 4096);
    expect(data).toBeLessThan(512 * 256);
    const expectedStream = data * 4104 + (512 * 256 - data) * 9 + parameters.finalStateBytes;
    const path = parameters.precopyPaths['xen-nest-nocipher'];
    expect(result.networkBytes! / path.wireBytesPerStreamByte / expectedStream).toBeCloseTo(1, 3);
    expect(result.pagesSent).toBe(512 * 256 + parameters.nonGuestRamPages);
  });

  it('counts the initial bitmap sync: an idle pre-copy is 3 syncs, a zero-copy 2', () => {
    expect(simulateMigration(point('xen-nest', 128), 1, host()).iterations).toBe(3);
    expect(simulateMigration(point('vmbeam', 128), 1, host()).iterations).toBe(2);
  });

  it("zero-copy takes the calibration's fixed costs whatever the memory size", () => {
    const testbed = inputs().testbed;
    for (const memoryMb of [128, 512, 4096]) {
      const result = simulateMigration(point('vmbeam', memoryMb, 5000), 1, host());
      expect(result.migrationTimeS).toBeCloseTo(testbed.zeroCopy.migrationS.mean, 9);
      expect(result.downtimeS).toBeCloseTo(testbed.zeroCopy.downtimeS.mean, 9);
      expect(result.pagesSent).toBe(Math.round(testbed.zeroCopy.pagesSent.mean));
    }
  });

  it('the data pages grow with the workload fill and match the calibration at its size', () => {
    const guest = host().guestMemory;
    if (guest.kind !== 'filled') throw new Error('expected a filled guest');
    expect(dataPages(guest.referenceMemoryMb, guest, 4096)).toBe(guest.referenceDataPages);
    const perMb = (dataPages(512, guest, 4096) - dataPages(256, guest, 4096)) / 256 / 256;
    // The workload fills what becomes available less its 1/32 margin, less 64 B of struct page per 4 KiB.
    expect(perMb).toBeGreaterThan(0.9);
    expect(perMb).toBeLessThan(1);
  });

  it('policy xen stops a non-converging pre-copy by its caps; policy qemu runs into the timeout', () => {
    const heavy = point('xen-nest', 512, 8000);
    const capped = simulateMigration(heavy, 1, host('xen'));
    expect(capped.iterations!).toBeLessThanOrEqual(29 + 2);
    expect(capped.downtimeS!).toBeGreaterThan(5); // the region's dirty pages go out with the guest stopped
    expect(() => simulateMigration(heavy, 1, host('qemu'))).toThrow(/timed out after 900 s/);
  });

  it("policy qemu converges where the dirty pages fit QEMU's 300 ms", () => {
    const result = simulateMigration(point('xen-blanket', 512, 2000), 1, host('qemu'));
    const parameters: SimParameters = host('qemu');
    expect(parameters.precopyPaths['xen-blanket'].downtimeLimitS).toBe(0.3);
    expect(result.downtimeS!).toBeLessThan(0.3 + parameters.precopyPaths['xen-blanket'].finalStageS + 0.2);
  });

  it("accounts for the unshaped calibration run's CPU in full: what the copies and cipher miss becomes CPU per stream byte", () => {
    const { testbed } = inputs();
    const run = testbed.precopyUnshaped;
    const parameters = host();
    expect(parameters.unattributedCpuSPerStreamByte).toBeGreaterThan(0);
    const counted =
      run.streamBytes.mean * cpuSecondsPerStreamByte(parameters.precopyPaths['xen-nest'].stages, parameters) +
      (run.memoryMb * 1024 * 1024 * parameters.zeroCheckCopiesPerByte) / parameters.memoryCopyBytesPerS +
      parameters.fixedCpuS +
      run.migrationS.mean * parameters.runningGuestCpuSPerS;
    expect(counted).toBeCloseTo(run.cpuS.mean, 9);
  });

  it('never takes CPU away: a calibration run cheaper than the rest of the model counts leaves nothing unattributed', () => {
    const profile = syntheticProfile();
    if (profile.testbed.status !== 'measured') throw new Error('the synthetic profile has a testbed');
    const cheap = { ...profile, testbed: { ...profile.testbed, precopyUnshaped: { ...profile.testbed.precopyUnshaped, cpuS: sampleStatistics([0.001, 0.001], 's') } } };
    expect(hostParameters(hostInputs(cheap, 'cheap.json', 'xen', 900)).unattributedCpuSPerStreamByte).toBe(0);
  });

  it('counts the running guest for as long as the live passes run', () => {
    const parameters = host();
    const idleGuest = { ...parameters, runningGuestCpuSPerS: 0 };
    const migration = point('xen-nest', 512, 2000);
    const withGuest = simulateMigration(migration, 1, parameters);
    const without = simulateMigration(migration, 1, idleGuest);
    const liveS = withGuest.migrationTimeS - withGuest.downtimeS!;
    expect(withGuest.cpuTimeS! - without.cpuTimeS!).toBeGreaterThan(0.9 * liveS * parameters.runningGuestCpuSPerS);
    expect(withGuest.cpuTimeS! - without.cpuTimeS!).toBeLessThanOrEqual(liveS * parameters.runningGuestCpuSPerS);
  });
});
