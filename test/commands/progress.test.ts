import { describe, expect, it } from 'vitest';
import { accelFallbackWarning } from '../../harness/commands/backends.ts';
import { etaSeconds, formatDuration, progressLine, progressReporter } from '../../harness/commands/progress.ts';
import type { PointProgress } from '../../harness/runner.ts';

const point = (name: string, failed = 0): PointProgress => ({
  figure: '2',
  point: name,
  ok: 5 - failed,
  failed,
  elapsedS: 0.5,
  firstError: failed > 0 ? 'timed out' : undefined,
});

describe('progress', () => {
  it('formats durations for a progress line', () => {
    expect(formatDuration(4.24)).toBe('4.2 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('estimates the time left from the share of the expected cost done', () => {
    expect(etaSeconds(10, 0, 100)).toBeUndefined();
    expect(etaSeconds(10, 25, 100)).toBe(30);
    expect(etaSeconds(10, 100, 100)).toBe(0);
  });

  it('prints k/N, elapsed and ETA on a pipe, weighting points by their cost', () => {
    let clock = 1_000;
    const lines: string[] = [];
    const costs = new Map([['2|a', 1], ['2|b', 3], ['2|c', 4]]);
    const reporter = progressReporter({ costs }, { live: false, now: () => clock, write: (line) => lines.push(line) });
    reporter.log('preparing the qemu testbed');
    // 10 s of warm-up count in the elapsed time but not in the ETA's rate.
    clock += 10_000;
    reporter.measuring();
    clock += 2_000;
    reporter.point(point('a'));
    clock += 6_000;
    reporter.point(point('b', 2));
    clock += 8_000;
    reporter.point(point('c'));
    reporter.stop();
    expect(lines).toEqual([
      'preparing the qemu testbed',
      // 1 of 8 cost units in 2 s: 14 s to go.
      '[1/3] a: 5 ok, 0.50 s | elapsed 12 s, ETA 14 s',
      '[2/3] b: 3 ok, 2 failed (timed out), 0.50 s | elapsed 18 s, ETA 8.0 s',
      '[3/3] c: 5 ok, 0.50 s | elapsed 26 s',
    ]);
    expect(progressLine(point('x'), 7, 48, 3, undefined)).toBe('[ 7/48] x: 5 ok, 0.50 s | elapsed 3.0 s, ETA ?');
  });

  it('warns loudly, with the reason, only when auto fell back from KVM', () => {
    expect(accelFallbackWarning('auto', 'tcg', 'KVM probe failed, using TCG: MSR 0x10a')).toMatch(/^WARNING: KVM is not used.*MSR 0x10a.*--accel tcg/);
    expect(accelFallbackWarning('auto', 'kvm', 'KVM guest booted')).toBeUndefined();
    expect(accelFallbackWarning('tcg', 'tcg', '--accel tcg')).toBeUndefined();
  });
});
