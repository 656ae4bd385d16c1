import { describe, expect, it } from 'vitest';
import {
  QEMU_DEFAULT_DOWNTIME_LIMIT_MS,
  XEN_MAX_ITERS,
  migrationParameters,
  xenPolicyDecision,
} from '../../../harness/backends/qemu/policy.ts';

const guestBytes = 512 * 1024 * 1024;

describe('Xen pre-copy termination', () => {
  it('continues while under 29 passes and 3x memory', () => {
    expect(xenPolicyDecision({ passesCompleted: 1, bytesTransferred: guestBytes, guestBytes })).toEqual({ action: 'continue' });
    expect(xenPolicyDecision({ passesCompleted: 28, bytesTransferred: 3 * guestBytes, guestBytes }).action).toBe('continue');
  });

  it('forces the final pass after pass 29', () => {
    const decision = xenPolicyDecision({ passesCompleted: XEN_MAX_ITERS, bytesTransferred: guestBytes, guestBytes });
    expect(decision.action).toBe('force-final');
    if (decision.action === 'force-final') expect(decision.reason).toMatch(/29 live passes/);
  });

  it('forces the final pass once more than 3x guest memory was sent', () => {
    const decision = xenPolicyDecision({ passesCompleted: 4, bytesTransferred: 3 * guestBytes + 1, guestBytes });
    expect(decision.action).toBe('force-final');
    if (decision.action === 'force-final') expect(decision.reason).toMatch(/3\.00x guest memory/);
  });
});

describe('migration parameters', () => {
  it('always sets max-bandwidth above the link rate (and above the 128 MiB/s default cap)', () => {
    for (const policy of ['xen', 'qemu'] as const) {
      for (const rate of [12_500_000, 37_500_000, 125_000_000]) {
        const parameters = migrationParameters(policy, rate);
        expect(parameters['max-bandwidth']).toBeGreaterThan(rate);
        expect(parameters['max-bandwidth']).toBeGreaterThan(128 * 1024 * 1024);
      }
    }
  });

  it('keeps QEMU convergence for the qemu policy and a 50-page threshold for xen', () => {
    expect(migrationParameters('qemu', 12_500_000)['downtime-limit']).toBe(QEMU_DEFAULT_DOWNTIME_LIMIT_MS);
    // 50 pages * 4 KiB at 12.5 MB/s = 16.4 ms
    expect(migrationParameters('xen', 12_500_000)['downtime-limit']).toBe(17);
    expect(migrationParameters('xen', 125_000_000)['downtime-limit']).toBe(2);
  });
});
