import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeTestbed } from './fake-testbed.ts';

const ROOT = join(import.meta.dirname, '../../..');

describe('npm run experiment -- --backend xen', () => {
  const testbed = fakeTestbed({
    systems: {
      vmbeam: {},
      'xen-nest': { sshCipher: 'aes128-ctr' },
      'xen-blanket': { sshCipher: 'aes128-ctr' },
      'xen-nest-nocipher': { sshCipher: 'none' },
      'xen-blanket-nocipher': { sshCipher: 'none' },
      physical: {},
    },
  });
  afterAll(() => testbed.remove());

  it('runs a figure on the testbed and writes the same CSVs and charts as the simulator', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'xen-cli-'));
    const result = await execa(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['harness/cli.ts', 'experiment', '--backend', 'xen', '--testbed', testbed.testbedPath, '--figure', '3', '--reps', '2', '--out', out],
      { cwd: ROOT, reject: false },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = readFileSync(join(out, 'results/xen/fig3.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('backend,system,memory_mb,rep,status,error,network_bytes,transfer_duration_s,mean_bandwidth_mbps');
    expect(rows).toHaveLength(1 + 3 * 2);
    expect(rows.slice(1).every((row) => row.startsWith('xen,') && row.includes(',ok,'))).toBe(true);
    expect(readFileSync(join(out, 'results/xen/fig3-series.csv'), 'utf8').trim().split('\n').length).toBeGreaterThan(1);
    expect(readFileSync(join(out, 'figures/xen/fig3a.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('skips the systems a testbed file does not list, in one line, with no failed rows', { timeout: 120_000 }, async () => {
    const partial = fakeTestbed({ systems: { 'xen-nest': { sshCipher: 'aes128-ctr' }, 'xen-blanket': {} } });
    const out = mkdtempSync(join(tmpdir(), 'xen-cli-'));
    const result = await execa(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['harness/cli.ts', 'experiment', '--backend', 'xen', '--testbed', partial.testbedPath, '--figure', '2', '--scale', 'ci', '--no-charts', '--out', out],
      { cwd: ROOT, reject: false },
    );
    partial.remove();
    expect(result.exitCode, result.stderr).toBe(0);
    const skipLines = result.stdout.split('\n').filter((line) => line.startsWith('skipping'));
    expect(skipLines).toEqual(['skipping vmbeam, xen-nest-nocipher, xen-blanket-nocipher, physical: not on this xen testbed']);
    const rows = readFileSync(join(out, 'results/xen/fig2.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(2 * 3);
    expect(rows.every((row) => row.includes(',ok,'))).toBe(true);
  });

  it('refuses --systems naming a system the testbed does not run, in one line, with nothing written', { timeout: 120_000 }, async () => {
    const partial = fakeTestbed({ systems: { 'xen-nest': { sshCipher: 'aes128-ctr' }, 'xen-blanket': {} } });
    const out = mkdtempSync(join(tmpdir(), 'xen-cli-'));
    const result = await execa(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['harness/cli.ts', 'experiment', '--backend', 'xen', '--testbed', partial.testbedPath, '--figure', '2', '--systems', 'xen-nest,vmbeam', '--out', out],
      { cwd: ROOT, reject: false },
    );
    partial.remove();
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('error: this xen testbed does not run vmbeam (it runs: xen-nest, xen-blanket)');
    expect(existsSync(join(out, 'results/xen/fig2.csv'))).toBe(false);
  });

  it('says which field of the testbed file is wrong, before anything runs', async () => {
    const broken = fakeTestbed({ guest: { config: '/etc/xen/g.cfg' } });
    const result = await execa(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['harness/cli.ts', 'experiment', '--backend', 'xen', '--testbed', broken.testbedPath, '--figure', '2'],
      { cwd: ROOT, reject: false },
    );
    broken.remove();
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: .*guest\.name/);
    expect(result.stdout).not.toMatch(/fig2 /);
  });
});
