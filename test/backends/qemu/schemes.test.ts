import { describe, expect, it } from 'vitest';
import {
  CPU_THROTTLE_INCREMENT_PCT,
  CPU_THROTTLE_INITIAL_PCT,
  MULTIFD_CHANNELS,
  XBZRLE_CACHE_BYTES,
  schemeOf,
  type MigrationScheme,
} from '../../../harness/backends/qemu/schemes.ts';
import { QEMU_DEFAULT_DOWNTIME_LIMIT_MS } from '../../../harness/backends/qemu/policy.ts';

const LINK = 12_500_000;
const on = (scheme: MigrationScheme): string[] => scheme.capabilities.filter((c) => c.state).map((c) => c.capability).sort();

describe('the QMP settings of each system', () => {
  it('sets every capability the testbed uses, on or off, the same list for every system', () => {
    const lists = (['xen-nest', 'vmbeam', 'precopy-qemu', 'auto-converge', 'xbzrle', 'multifd', 'postcopy'] as const).map((system) =>
      schemeOf(system, 'xen', system === 'vmbeam', LINK).capabilities.map((c) => c.capability),
    );
    for (const list of lists) expect(list).toEqual(['events', 'x-ignore-shared', 'auto-converge', 'xbzrle', 'multifd', 'postcopy-ram']);
  });

  it('keeps the paper\'s systems as they were: plain pre-copy under the run\'s policy, zero-copy with x-ignore-shared', () => {
    const xen = schemeOf('xen-nest', 'xen', false, LINK);
    expect(on(xen)).toEqual(['events']);
    expect(xen.policy).toBe('xen');
    expect(schemeOf('xen-nest', 'qemu', false, LINK).policy).toBe('qemu');
    expect(on(schemeOf('vmbeam', 'xen', true, LINK))).toEqual(['events', 'x-ignore-shared']);
    expect(xen.postcopyAfterFirstPass).toBe(false);
    expect(xen.destinationParameters).toEqual({});
  });

  it("runs QEMU's schemes under QEMU's own convergence, whatever the run's policy", () => {
    for (const system of ['precopy-qemu', 'auto-converge', 'xbzrle', 'multifd', 'postcopy'] as const) {
      const scheme = schemeOf(system, 'xen', false, LINK);
      expect(scheme.policy).toBe('qemu');
      expect(scheme.sourceParameters['downtime-limit']).toBe(QEMU_DEFAULT_DOWNTIME_LIMIT_MS);
      expect(scheme.sourceParameters['max-bandwidth']).toBeGreaterThan(LINK);
    }
    expect(on(schemeOf('precopy-qemu', 'xen', false, LINK))).toEqual(['events']);
  });

  it('throttles with QEMU 7.2\'s defaults (20 % at first, 10 % more each time)', () => {
    const scheme = schemeOf('auto-converge', 'xen', false, LINK);
    expect(on(scheme)).toEqual(['auto-converge', 'events']);
    expect(scheme.sourceParameters['cpu-throttle-initial']).toBe(20);
    expect(scheme.sourceParameters['cpu-throttle-increment']).toBe(10);
    expect([CPU_THROTTLE_INITIAL_PCT, CPU_THROTTLE_INCREMENT_PCT]).toEqual([20, 10]);
  });

  it("compresses re-sent pages with QEMU's default 64 MiB cache", () => {
    const scheme = schemeOf('xbzrle', 'xen', false, LINK);
    expect(on(scheme)).toEqual(['events', 'xbzrle']);
    expect(scheme.sourceParameters['xbzrle-cache-size']).toBe(64 * 1024 * 1024);
    expect(XBZRLE_CACHE_BYTES).toBe(64 * 1024 * 1024);
  });

  it('tells both sides how many multifd channels to use', () => {
    const scheme = schemeOf('multifd', 'xen', false, LINK);
    expect(on(scheme)).toEqual(['events', 'multifd']);
    expect(scheme.sourceParameters['multifd-channels']).toBe(MULTIFD_CHANNELS);
    expect(scheme.destinationParameters).toEqual({ 'multifd-channels': MULTIFD_CHANNELS });
    expect(MULTIFD_CHANNELS).toBe(2);
  });

  it('enables post-copy on both sides and switches after the first pass', () => {
    const scheme = schemeOf('postcopy', 'xen', false, LINK);
    expect(on(scheme)).toEqual(['events', 'postcopy-ram']);
    expect(scheme.postcopyAfterFirstPass).toBe(true);
  });

  it('has no scheme for auto until it has chosen', () => {
    expect(() => schemeOf('auto', 'xen', false, LINK)).toThrow(/^auto must choose a scheme before it is armed$/);
  });
});
