import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../harness/results/run-info.ts';
import { provenanceDifferences, provenanceWarning } from '../../harness/validate/provenance.ts';
import { syntheticProfile } from '../calibrate/synthetic-profile.ts';

const profile = syntheticProfile();
const run = (accel: string, host?: RunInfo['host']): RunInfo => ({
  backend: 'qemu',
  figures: ['fig2'],
  seed: 1,
  repetitions: 1,
  scale: 'ci',
  nodeVersion: 'v20',
  startedAt: '2026-12-02T00:00:00Z',
  backendInfo: { accel, qemuVersion: profile.machine.qemu },
  ...(host === undefined ? {} : { host }),
});

describe('validate: the measured run against the host profile', () => {
  it('is silent when the run was measured on the profiled testbed, or says nothing it cannot know', () => {
    const accel = profile.testbed.status === 'measured' ? profile.testbed.accel : 'tcg';
    expect(provenanceDifferences(profile, run(accel))).toEqual([]);
    const same = { cpuModel: profile.machine.cpuModel, cores: profile.machine.cores, loadAverage: [0, 0, 0], kernel: profile.machine.kernel };
    expect(provenanceDifferences(profile, run(accel, same))).toEqual([]);
  });

  it('names each difference in one line', () => {
    const other = profile.testbed.status === 'measured' && profile.testbed.accel === 'kvm' ? 'tcg' : 'kvm';
    const differences = provenanceDifferences(profile, run(other, { cpuModel: 'Other CPU', cores: 64, loadAverage: [1, 1, 1], kernel: profile.machine.kernel }));
    expect(differences.map((d) => d.what)).toEqual(['accelerator', 'host CPU', 'cores']);
    const warning = provenanceWarning('results/host-profile.json', 'results/qemu', differences)!;
    expect(warning.split('\n')).toHaveLength(1);
    expect(warning).toMatch(new RegExp(`^warning: results/qemu was not measured on the testbed results/host-profile.json describes: accelerator ${other} \\(measured\\) vs`));
  });

  it('compares the guest kernel when both sides recorded it', () => {
    if (profile.testbed.status !== 'measured') throw new Error('the synthetic profile measures its testbed');
    const accel = profile.testbed.accel;
    const withKernel = (guestKernel: string): RunInfo => ({ ...run(accel), backendInfo: { ...run(accel).backendInfo, guestKernel } });
    const recorded = { ...profile, testbed: { ...profile.testbed, guestKernel: 'vmlinuz-6.1.0-56-amd64' } };
    expect(provenanceDifferences(recorded, withKernel('vmlinuz-6.1.0-56-amd64'))).toEqual([]);
    expect(provenanceDifferences(recorded, withKernel('vmlinuz-6.1.0-57-amd64'))).toEqual([
      { what: 'guest kernel', measured: 'vmlinuz-6.1.0-57-amd64', profile: 'vmlinuz-6.1.0-56-amd64' },
    ]);
    // A profile from before the guest kernel was recorded cannot disagree on it.
    expect(provenanceDifferences(profile, withKernel('vmlinuz-6.1.0-57-amd64'))).toEqual([]);
  });
});
