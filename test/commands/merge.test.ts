import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli, stripVolatile } from '../harness-cli.ts';

const SWEEP = ['--scale', 'ci', '--reps', '2'];

/** Every file of a results or figures directory but run.json, which records when and how each run ran (as index.html's header does). */
function outputs(dir: string): Map<string, Buffer> {
  const read = (file: string) => (file === 'index.html' ? Buffer.from(stripVolatile(readFileSync(join(dir, file), 'utf8'))) : readFileSync(join(dir, file)));
  return new Map(readdirSync(dir).filter((file) => file !== 'run.json').map((file) => [file, read(file)]));
}

describe('npm run merge', () => {
  it('joins a sim run made in three shards into exactly what the unsharded run writes', { timeout: 180_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'merge-'));
    const whole = await harnessCli(['experiment', ...SWEEP, '--out', join(root, 'whole')]);
    expect(whole.exitCode, whole.stderr).toBe(0);
    for (const index of [1, 2, 3]) {
      const shard = await harnessCli(['experiment', ...SWEEP, '--shard', `${index}/3`, '--out', join(root, `shard${index}`)]);
      expect(shard.exitCode, shard.stderr).toBe(0);
      const info = JSON.parse(readFileSync(join(root, `shard${index}/results/sim/run.json`), 'utf8'));
      expect(info.shard).toEqual({ index, count: 3 });
      expect(info.outcome.migrations).toBeGreaterThan(0);
    }
    // Shard order on the command line does not matter.
    const merged = await harnessCli(['merge', join(root, 'shard3'), join(root, 'shard1'), join(root, 'shard2/results/sim'), '--out', join(root, 'merged')]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    for (const kind of ['results', 'figures']) {
      const expected = outputs(join(root, 'whole', kind, 'sim'));
      const actual = outputs(join(root, 'merged', kind, 'sim'));
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [file, bytes] of expected) expect(actual.get(file)!.equals(bytes), `${kind}/sim/${file}`).toBe(true);
    }
    const info = JSON.parse(readFileSync(join(root, 'merged/results/sim/run.json'), 'utf8'));
    expect(info.mergedFrom).toHaveLength(3);
    expect(info.shard).toBeUndefined();

    const overlapping = await harnessCli(['merge', join(root, 'shard1'), join(root, 'shard1'), '--out', join(root, 'twice')]);
    expect(overlapping.exitCode).toBe(2);
    expect(overlapping.stderr.trim()).toMatch(/^error: shard 1 is given twice$/);
    const unsharded = await harnessCli(['merge', join(root, 'whole'), '--out', join(root, 'no')]);
    expect(unsharded.exitCode).toBe(2);
    expect(unsharded.stderr.trim()).toMatch(/is not a shard/);
    const otherSeed = await harnessCli(['experiment', ...SWEEP, '--figure', '5', '--seed', '9', '--shard', '2/3', '--out', join(root, 'seed9')]);
    expect(otherSeed.exitCode, otherSeed.stderr).toBe(0);
    const mismatched = await harnessCli(['merge', join(root, 'shard1'), join(root, 'seed9'), '--out', join(root, 'mixed')]);
    expect(mismatched.exitCode).toBe(2);
    expect(mismatched.stderr.trim()).toMatch(/has seed 9 but .* has 1: shards of different runs$/);
  });
});
