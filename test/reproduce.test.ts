import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli, ROOT, stripVolatile } from './harness-cli.ts';


describe('committed simulator results', () => {
  it('are exactly what a fresh default run writes', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'reproduce-'));
    const run = await harnessCli(['experiment', '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const directory of ['results/sim', 'figures/sim']) {
      const fresh = readdirSync(join(out, directory)).filter((file) => file !== 'run.json').sort();
      const committed = readdirSync(join(ROOT, directory)).filter((file) => file !== 'run.json').sort();
      expect(fresh).toEqual(committed);
      for (const file of fresh) {
        // The page's provenance (revision, time, command) is the run's own; everything else must match.
        const read = (root: string) => (file === 'index.html' ? Buffer.from(stripVolatile(readFileSync(join(root, directory, file), 'utf8'))) : readFileSync(join(root, directory, file)));
        const same = read(out).equals(read(ROOT));
        expect(same, `${directory}/${file} differs from a fresh run: run 'npm run experiment' and commit`).toBe(true);
      }
    }
  });
});
