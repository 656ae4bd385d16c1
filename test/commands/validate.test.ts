import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli, ROOT } from '../harness-cli.ts';
import { writeHostProfile } from '../../harness/calibrate/profile.ts';
import { readTable, TableWriter } from '../../harness/results/csv.ts';
import { alternativesTable, fig2Table, type AlternativesRow } from '../../harness/results/tables.ts';
import { validationTable } from '../../harness/results/validation.ts';
import { syntheticProfile } from '../calibrate/synthetic-profile.ts';


describe('npm run validate -- --measured', () => {
  it('predicts the measured qemu run with the host profile and writes the CSV, the chart and the report section', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'validate-'));
    const profile = join(out, 'host-profile.json');
    writeHostProfile(profile, syntheticProfile());
    const run = await harnessCli(['validate', '--measured', 'results/qemu', '--host-profile', profile, '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/mean absolute percentage error, simulator \(host profile\) vs qemu testbed:\n\| metric \| VMBeam \| Xen-Nest \|/);

    const measured = readFileSync(join(ROOT, 'results/qemu/fig2.csv'), 'utf8').trim().split('\n').length - 1;
    const rows = readTable(validationTable, join(out, 'results/validate.csv'));
    // Fig. 2's points x 5 metrics, Fig. 6's dirtying points x 5, Fig. 4's points x 1.
    const fig6Dirtying = readFileSync(join(ROOT, 'results/qemu/fig6.csv'), 'utf8').split('\n').filter((line) => /,(2000|8000),/.test(line)).length;
    const fig4 = readFileSync(join(ROOT, 'results/qemu/fig4.csv'), 'utf8').trim().split('\n').length - 1;
    // The alternatives are compared apart, with an outcome row for each measured row: their points are the committed run's own.
    const alternatives = readTable(alternativesTable, join(ROOT, 'results/qemu/alternatives.csv'));
    const pointOf = (row: { system: string; memory_mb?: number | undefined; dirty_pages_per_s?: number | undefined }) => `${row.system}/${row.memory_mb}/${row.dirty_pages_per_s}`;
    const alternativesPoints = new Set(alternatives.map(pointOf));
    const isAlternatives = (row: (typeof rows)[number]) => alternativesPoints.has(pointOf(row));
    expect(rows.filter((row) => !isAlternatives(row))).toHaveLength(measured * 5 + fig6Dirtying * 5 + fig4);
    expect(rows.filter((row) => isAlternatives(row) && row.metric === 'outcome')).toHaveLength(alternatives.length);
    expect(rows.every((row) => row.measured !== undefined)).toBe(true);
    const nest512 = rows.find((row) => row.system === 'xen-nest' && row.memory_mb === 512 && row.dirty_pages_per_s === 0 && row.metric === 'migration_time_s')!;
    // The measured side is the committed qemu row itself.
    const qemuNest512 = readTable(fig2Table, join(ROOT, 'results/qemu/fig2.csv')).find((row) => row.system === 'xen-nest' && row.memory_mb === 512)!;
    expect(nest512.measured).toBe(qemuNest512.migration_time_s);
    expect(nest512.error_pct).toBeCloseTo(((nest512.predicted! - nest512.measured!) / nest512.measured!) * 100, 4);

    const report = readFileSync(join(out, 'results/sim-host/REPORT.md'), 'utf8');
    expect(report).toMatch(/^# Reproduction report: backend `sim`, profile `host`/);
    expect(report).toMatch(/## The host profile: what differs from the paper's model/);
    expect(report).toMatch(/## Simulator \(host profile\) vs the qemu testbed/);
    const runInfo = JSON.parse(readFileSync(join(out, 'results/sim-host/run.json'), 'utf8'));
    expect(runInfo).toMatchObject({ backend: 'sim', scale: 'ci', seed: 1, repetitions: 1, figures: ['fig2', 'fig4', 'fig6', 'alternatives'] });
    expect(runInfo.backendInfo).toMatchObject({ profile: 'host', policy: 'xen', timeoutS: 900 });
    expect(readFileSync(join(out, 'figures/validate.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'figures/validate.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(out, 'figures/sim-host/index.html'))).toBe(true);
    expect(existsSync(join(out, 'results/sim'))).toBe(false);
  });
});

describe('npm run validate -- --measured, a run with alternatives.csv', () => {
  /** A measured row as the qemu backend would write it; `time` undefined: the migration failed. */
  const measuredRow = (system: string, rate: number, time: number | undefined, slowdownPct = 5): AlternativesRow => ({
    backend: 'qemu', system, memory_mb: 256, dirty_region_mb: 128, dirty_pages_per_s: rate, rep: 1,
    status: time === undefined ? 'failed' : 'ok', error: time === undefined ? 'migration did not converge within 240 s; cancelled' : undefined,
    chosen_system: system === 'auto' ? 'vmbeam' : undefined, chosen_reason: system === 'auto' ? 'same host' : undefined,
    migration_time_s: time, downtime_s: time === undefined ? undefined : 0.4, network_bytes: time === undefined ? undefined : 4e8,
    iterations: time === undefined ? undefined : 8, pages_sent: time === undefined ? undefined : 100_000,
    guest_before_pages_per_s: rate, guest_during_pages_per_s: time === undefined ? undefined : rate * (1 - slowdownPct / 100), guest_after_pages_per_s: rate,
    guest_slowdown_pct: time === undefined ? undefined : slowdownPct,
  });

  it('simulates its points with the host profile and compares them row by row, failed migrations by outcome', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'validate-alternatives-'));
    const profile = join(out, 'host-profile.json');
    writeHostProfile(profile, syntheticProfile());
    const measured = join(out, 'measured');
    mkdirSync(measured);
    const template = JSON.parse(readFileSync(join(ROOT, 'results/qemu/run.json'), 'utf8'));
    writeFileSync(
      join(measured, 'run.json'),
      JSON.stringify({ ...template, figures: ['alternatives'], scale: 'ci', repetitions: 1, outcome: { points: 5, migrations: 5, failures: 2, interrupted: false } }),
    );
    new TableWriter(alternativesTable, measured, 'replace').append([
      measuredRow('precopy-qemu', 1000, 30),
      measuredRow('precopy-qemu', 8000, undefined),
      // The simulator finishes these: only the testbed failed.
      measuredRow('postcopy', 8000, undefined),
      measuredRow('auto-converge', 4000, 70, 20),
      measuredRow('auto', 1000, 0.04, 50),
    ]);

    const run = await harnessCli(['validate', '--measured', measured, '--host-profile', profile, '--out', out, '--no-charts']);
    expect(run.exitCode, run.stderr).toBe(0);
    const rows = readTable(validationTable, join(out, 'results/validate.csv'));
    const outcomes = rows.filter((row) => row.metric === 'outcome').map((row) => [row.system, row.dirty_pages_per_s, row.predicted, row.measured]);
    expect(outcomes).toEqual([
      ['precopy-qemu', 1000, 1, 1],
      ['precopy-qemu', 8000, 0, 0],
      ['auto-converge', 4000, 1, 1],
      ['postcopy', 8000, 1, 0],
      ['auto', 1000, 1, 1],
    ]);
    // Numbers only where both finished: time, downtime, bytes and the write rate kept.
    const numbers = rows.filter((row) => row.metric !== 'outcome');
    expect(new Set(numbers.map((row) => `${row.system} ${row.dirty_pages_per_s}`))).toEqual(new Set(['precopy-qemu 1000', 'auto-converge 4000', 'auto 1000']));
    const kept = numbers.find((row) => row.system === 'auto-converge' && row.metric === 'guest_rate_kept_pct')!;
    expect(kept.measured).toBe(80);
    expect(kept.error_pct).toBeCloseTo(((kept.predicted! - 80) / 80) * 100, 6);
    const time = numbers.find((row) => row.system === 'precopy-qemu' && row.metric === 'migration_time_s')!;
    expect(time.measured).toBe(30);

    // The simulator ran every point of the run's scale.
    const predicted = readTable(alternativesTable, join(out, 'results/sim-host/alternatives.csv'));
    expect(predicted).toHaveLength(8 * 4);
    expect(predicted.find((row) => row.system === 'auto')?.chosen_system).toBe('vmbeam');
    const report = readFileSync(join(out, 'results/sim-host/REPORT.md'), 'utf8');
    expect(report).toMatch(/### Did each migration finish on both sides\? \(alternatives\)/);
    expect(report).toMatch(/4 of 5 points agree: 3 finished on both sides, 1 failed on both\./);
    expect(report).toMatch(/\| Post-copy \| 256 \| 8000 \| 0 % \| 100 % \| only the testbed failed \|/);
    expect(report).toMatch(/\| guest's write rate kept \|/);
  });
});

describe('committed validation', () => {
  it('is exactly what validating the committed qemu run with the committed host profile writes', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'validate-committed-'));
    const run = await harnessCli(['validate', '--measured', 'results/qemu', '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    const files = ['results/validate.csv', 'figures/validate.svg', 'figures/validate.png', 'results/sim-host/fig2.csv', 'results/sim-host/fig6.csv'];
    for (const file of files) {
      const same = readFileSync(join(out, file)).equals(readFileSync(join(ROOT, file)));
      expect(same, `${file} differs: after 'npm run calibrate' or a new results/qemu, run 'npm run validate -- --measured results/qemu' and commit`).toBe(true);
    }
    // The report names where the host profile came from; the rest must match.
    const strip = (text: string) => text.replace(/`[^`]*host-profile\.json`/g, '`host-profile.json`');
    expect(strip(readFileSync(join(out, 'results/sim-host/REPORT.md'), 'utf8'))).toBe(strip(readFileSync(join(ROOT, 'results/sim-host/REPORT.md'), 'utf8')));
  });
});
