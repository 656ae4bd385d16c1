import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli, ROOT } from '../harness-cli.ts';
import { writeHostProfile } from '../../harness/calibrate/profile.ts';
import { readTable } from '../../harness/results/csv.ts';
import { fig2Table } from '../../harness/results/tables.ts';
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
    expect(rows).toHaveLength(measured * 5 + fig6Dirtying * 5 + fig4);
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
    expect(runInfo).toMatchObject({ backend: 'sim', scale: 'ci', seed: 1, repetitions: 1, figures: ['fig2', 'fig4', 'fig6'] });
    expect(runInfo.backendInfo).toMatchObject({ profile: 'host', policy: 'xen', timeoutS: 900 });
    expect(readFileSync(join(out, 'figures/validate.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'figures/validate.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(out, 'figures/sim-host/index.html'))).toBe(true);
    expect(existsSync(join(out, 'results/sim'))).toBe(false);
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
