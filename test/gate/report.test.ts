import { describe, expect, it } from 'vitest';
import { presentValue, verdictJunit, verdictTable } from '../../harness/gate/report.ts';
import type { Gate, Verdict } from '../../harness/gate/types.ts';

const select = { backend: 'sim', table: 'fig2' as const, system: 'vmbeam' };
const threshold = (metric: string): Gate => ({ kind: 'threshold', name: `t ${metric}`, select, metric, comparator: '<=', bound: 1 });
const ratio: Gate = { kind: 'ratio', name: 'r', numerator: select, denominator: select, metric: 'migration_time_s', comparator: '>=', bound: 5 };
const paper: Gate = { kind: 'paper', name: 'p', backend: 'sim', statement: 's' };

describe('gate output', () => {
  it('gives every bare value its unit and writes ratios one way', () => {
    expect(presentValue('0.6393', threshold('downtime_s'))).toBe('0.6393 s');
    expect(presentValue('<= 0.8000', threshold('downtime_s'))).toBe('<= 0.8 s');
    expect(presentValue('326190.0', threshold('network_bytes'))).toBe('318.5 KiB');
    expect(presentValue('<= 8388608.0', threshold('network_bytes'))).toBe('<= 8 MiB');
    expect(presentValue('1116.6x', ratio)).toBe('1117×');
    expect(presentValue('>= 5.000x', ratio)).toBe('>= 5×');
    expect(presentValue('1.199 x', paper)).toBe('1.199×');
    expect(presentValue('1.2 x ±15 %', paper)).toBe('1.2× ±15 %');
    expect(presentValue('16.3 s ±10 %', paper)).toBe('16.3 s ±10 %');
  });

  it('writes JUnit with a time and the observed value and bound on every case, passing ones too', () => {
    const verdicts: Verdict[] = [
      { gate: threshold('downtime_s'), status: 'pass', observed: '0.6393', bound: '<= 0.8000', detail: '' },
      { gate: ratio, status: 'fail', observed: '4.2x', bound: '>= 5.000x', detail: 'too slow' },
    ];
    const xml = verdictJunit(verdicts, [0.002, 0.001]);
    expect(xml).toMatch(/<testsuite name="vmbeam gates" time="0.003"/);
    expect(xml).toMatch(/<testcase classname="gates.threshold" name="t downtime_s" time="0.002">\s*<properties>\s*<property name="observed" value="0.6393 s"\/>\s*<property name="bound" value="&lt;= 0.8 s"\/>/);
    expect(xml).toContain('<failure message="observed 4.2×, bound >= 5×: too slow"');
    expect(verdictTable(verdicts).split('\n')[1]).toMatch(/^t downtime_s\s+0.6393 s\s+<= 0.8 s\s+pass$/);
  });
});
