import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli } from '../harness-cli.ts';

describe('npm run report', () => {
  it('rebuilds REPORT.md, the charts and index.html from the CSVs alone', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'report-'));
    const run = await harnessCli(['experiment', '--figure', '3,4', '--scale', 'ci', '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    const written = ['results/sim/REPORT.md', 'figures/sim/fig4a.svg', 'figures/sim/index.html'].map((file) => [file, readFileSync(join(out, file))] as const);
    for (const [file] of written) rmSync(join(out, file));

    const rebuilt = await harnessCli(['report', '--results', join(out, 'results/sim')]);
    expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/from fig3, fig4$/m);
    for (const [file, bytes] of written) expect(readFileSync(join(out, file)).equals(bytes), file).toBe(true);

    const missing = await harnessCli(['report', '--results', join(out, 'results')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^error: .*holds no usable run\.json .*: pass a results directory such as results\/sim$/);
  });
});
