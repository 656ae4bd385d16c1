import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileSummary } from '../../harness/calibrate/format.ts';
import {
  HostProfileError,
  measuredTestbed,
  parseHostProfile,
  readHostProfile,
  writeHostProfile,
} from '../../harness/calibrate/profile.ts';
import { syntheticProfile } from './synthetic-profile.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'host-profile-'));

describe('host profile file', () => {
  it('reads back what was written', () => {
    const path = join(scratch(), 'nested', 'host-profile.json');
    writeHostProfile(path, syntheticProfile());
    expect(readHostProfile(path)).toEqual(syntheticProfile());
  });

  it('says to run npm run calibrate when the file is missing', () => {
    expect(() => readHostProfile('/nonexistent/host-profile.json')).toThrow(
      /^no host profile at \/nonexistent\/host-profile.json: run 'npm run calibrate' first/,
    );
  });

  it('names the first bad field on one line', () => {
    const broken = syntheticProfile() as unknown as { memoryCopy: { page4KiB: { samples: number } } };
    broken.memoryCopy.page4KiB.samples = 1;
    expect(() => parseHostProfile(broken, 'p.json')).toThrow(/^p\.json: memoryCopy\.page4KiB\.samples: .*\(run 'npm run calibrate' to measure it again\)$/);
    const wrongUnit = syntheticProfile() as unknown as { testbed: { zeroCopy: { migrationS: { unit: string } } } };
    wrongUnit.testbed.zeroCopy.migrationS.unit = 'ms';
    expect(() => parseHostProfile(wrongUnit, 'p.json')).toThrow(/testbed\.zeroCopy\.migrationS\.unit/);
  });

  it('rejects another version and unknown fields', () => {
    expect(() => parseHostProfile({ ...syntheticProfile(), version: 0 }, 'p.json')).toThrow(/written by another version: run 'npm run calibrate'/);
    expect(() => parseHostProfile({ ...syntheticProfile(), extra: 1 }, 'p.json')).toThrow(/p\.json/);
  });

  it('rejects text that is not JSON', () => {
    const path = join(scratch(), 'host-profile.json');
    writeFileSync(path, '{ not json');
    expect(() => readHostProfile(path)).toThrow(HostProfileError);
  });

  it('keeps the testbed part a tagged union: a profile without it cannot drive the simulator', () => {
    const profile = { ...syntheticProfile(), testbed: { status: 'unavailable' as const, reason: 'not measured (--no-testbed)' } };
    expect(parseHostProfile(profile, 'p.json').testbed.status).toBe('unavailable');
    expect(() => measuredTestbed(profile, 'p.json')).toThrow(/^p\.json has no testbed costs \(not measured \(--no-testbed\)\): run 'npm run calibrate' as root/);
    expect(measuredTestbed(syntheticProfile(), 'p.json').zeroCopy.system).toBe('vmbeam');
  });

  it('summarises a profile in a few lines', () => {
    const lines = profileSummary(syntheticProfile()).split('\n');
    expect(lines[0]).toMatch(/Test CPU, 2 cores/);
    expect(lines.some((line) => /openssl speed\s+chacha20-poly1305\s+2\.00 GB\/s/.test(line))).toBe(true);
    expect(lines.some((line) => /zero-copy .* resumed after 40\.0 ms/.test(line))).toBe(true);
  });
});
