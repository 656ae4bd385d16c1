import { describe, expect, it } from 'vitest';
import { differenceRows, hostInputs, hostParameters } from '../../harness/calibrate/sim-profile/index.ts';
import { FAR_OFF_MAPE_PCT, differencesTable, farOffNotes, mapeTable, outcomesSection, validationSection } from '../../harness/report/validation.ts';
import type { ValidationRow } from '../../harness/results/validation.ts';
import { syntheticProfile } from '../calibrate/synthetic-profile.ts';

const inputs = hostInputs(syntheticProfile(), 'synthetic.json', 'xen', 900);
const parameters = hostParameters(inputs);
const row = (system: string, memory_mb: number, metric: string, predicted: number | undefined, measured: number): ValidationRow => ({
  system, memory_mb, dirty_pages_per_s: 0, metric, predicted, measured,
  error_pct: predicted === undefined ? undefined : ((predicted - measured) / measured) * 100,
});

const rows: ValidationRow[] = [
  row('vmbeam', 128, 'migration_time_s', 0.04, 0.04),
  row('xen-nest', 128, 'migration_time_s', 9, 10),
  row('xen-nest', 256, 'migration_time_s', 22, 20),
  row('xen-nest', 128, 'downtime_s', 0.1, 0.2),
  row('xen-nest', 256, 'downtime_s', undefined, 0.2),
];

describe('validation report section', () => {
  it('tabulates MAPE per metric (rows) and system (columns)', () => {
    const table = mapeTable(rows).split('\n');
    expect(table[0]).toBe('| metric | VMBeam | Xen-Nest |');
    expect(table[2]).toBe('| migration time | 0.0 % (n=1) | 10.0 % (n=2) |');
    expect(table[3]).toBe('| downtime |  | 50.0 % (n=1, 1 without) |');
  });

  it(`explains every metric of a system above ${FAR_OFF_MAPE_PCT} % with the mechanisms the data shows`, () => {
    const notes = farOffNotes(rows, inputs.testbed, parameters);
    expect(notes).toMatch(/^- \*\*downtime, Xen-Nest\*\*: MAPE 50\.0 %, mean signed error -50\.0 %\./);
    expect(notes).toMatch(/\*Missing: queued-at-stop\.\*/);
    expect(notes).not.toMatch(/migration time, Xen-Nest/);
  });

  it('says so when nothing is far off', () => {
    expect(farOffNotes(rows.slice(0, 3), inputs.testbed, parameters)).toBe(`Every metric of every system is within ${FAR_OFF_MAPE_PCT} % on average.`);
  });

  it('says when no listed mechanism covers a metric that is far off', () => {
    const odd = [row('vmbeam', 128, 'pages_sent', 100, 200), row('vmbeam', 256, 'pages_sent', 300, 200)];
    expect(farOffNotes(odd, inputs.testbed, parameters)).toBe(
      [
        '- **pages sent, VMBeam**: MAPE 50.0 %, mean signed error +0.0 %.',
        '  No listed mechanism covers this (harness/validate/mechanisms.ts); errors: -50 % at 128 MB/0 pages/s, +50 % at 256 MB/0 pages/s.',
      ].join('\n'),
    );
  });

  it('lists every profile difference with both values', () => {
    const table = differencesTable(differenceRows(inputs)).split('\n');
    expect(table.length).toBe(2 + differenceRows(inputs).length);
    expect(table.find((line) => line.startsWith('| how a path')) ?? '').toMatch(/\| serial \| pipelined \|/);
  });

  it('introduces the section with where both sides came from', () => {
    const section = validationSection(rows, { measuredFrom: '`results/qemu`', policy: 'xen', scale: 'ci', hostProfile: 'results/host-profile.json', testbed: inputs.testbed, parameters });
    expect(section).toMatch(/^## Simulator \(host profile\) vs the qemu testbed\n/);
    expect(section).toMatch(/`results\/host-profile.json`, calibrated under TCG/);
    expect(section).toMatch(/5 comparisons of 5 measured values/);
  });
});

describe('validation report section: the alternatives experiment', () => {
  const outcome = (system: string, rate: number, predicted: number, measured: number): ValidationRow => ({
    system, memory_mb: 256, dirty_pages_per_s: rate, metric: 'outcome', predicted, measured, error_pct: undefined,
  });
  const kept = (system: string, rate: number, predicted: number, measured: number): ValidationRow => ({
    system, memory_mb: 256, dirty_pages_per_s: rate, metric: 'guest_rate_kept_pct', predicted, measured, error_pct: ((predicted - measured) / measured) * 100,
  });

  it('counts agreeing outcomes and lists the points where only one side failed', () => {
    const section = outcomesSection([outcome('precopy-qemu', 8000, 0, 0), outcome('xbzrle', 4000, 1, 0), outcome('postcopy', 4000, 1, 1)]);
    expect(section).toMatch(/2 of 3 points agree: 1 finished on both sides, 1 failed on both\./);
    expect(section).toMatch(/\| XBZRLE \| 256 \| 4000 \| 0 % \| 100 % \| only the testbed failed \|/);
    expect(section).not.toMatch(/Post-copy/);
    expect(outcomesSection(rows)).toBe('');
  });

  it("explains a far-off guest write rate under auto-converge by the model's assumption of a CPU-bound writer", () => {
    const notes = farOffNotes([kept('auto-converge', 4000, 60, 99), kept('auto-converge', 8000, 40, 98)], inputs.testbed, parameters);
    expect(notes).toMatch(/\*\*guest's write rate kept, Auto-converge\*\*: MAPE/);
    expect(notes).toMatch(/\*Missing: throttle-write-share\.\* The model takes the workload's writes to need all the vCPU time/);
    expect(notes).toMatch(/99 vs 60 % at 256 MB at 4000 pages\/s/);
  });
});
