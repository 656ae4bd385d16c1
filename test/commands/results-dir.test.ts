import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli } from '../harness-cli.ts';

const RUN = ['experiment', '--figure', '2,5', '--scale', 'ci', '--reps', '2', '--no-charts'];

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('a run into a results directory that holds rows', () => {
  it('is refused, resumed or started afresh, and never truncates', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'results-dir-'));
    const fig2 = join(out, 'results/sim/fig2.csv');
    expect((await harnessCli([...RUN, '--out', out])).exitCode).toBe(0);
    const complete = lines(fig2);
    const fig5 = lines(join(out, 'results/sim/fig5.csv'));

    const refused = await harnessCli([...RUN, '--out', out]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^error: .*results\/sim already holds \d+ rows \(fig2\.csv, fig5\.csv\): pass --resume to finish that run, --force to start afresh, or another --out$/);
    expect(lines(fig2)).toEqual(complete);

    // An interrupted run: its last two repetitions missing, one earlier repetition failed.
    const [header, ...rows] = complete;
    const failedRow = rows[0]!.replace(',ok,', ',failed,boom');
    writeFileSync(fig2, [header, failedRow, ...rows.slice(1, -2)].join('\n') + '\n');
    const resumed = await harnessCli([...RUN, '--resume', '--out', out]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // The failed row stays; the repetitions it lacked are appended, each once.
    const after = lines(fig2);
    expect(after.slice(0, rows.length - 1)).toEqual([header, failedRow, ...rows.slice(1, -2)]);
    expect([...after.slice(rows.length - 1)].sort()).toEqual([rows[0]!, ...rows.slice(-2)].sort());
    // The idle guest's repetitions share one simulated migration: two migrations for the three repetitions.
    expect(resumed.stdout).toMatch(/wrote 2 migrations of 2 points/);
    const info = JSON.parse(readFileSync(join(out, 'results/sim/run.json'), 'utf8'));
    expect(info.resumedAt).toHaveLength(1);
    expect(info.figures).toEqual(['fig2', 'fig5']);

    const otherSeed = await harnessCli([...RUN, '--resume', '--seed', '4', '--out', out]);
    expect(otherSeed.exitCode).toBe(2);
    expect(otherSeed.stderr.trim()).toMatch(/^error: cannot resume .*: its run has seed 1, this one 4; pass the same seed or --force$/);

    const forced = await harnessCli([...RUN, '--figure', '5', '--force', '--out', out]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^--force: removing \d+ rows \(fig2\.csv, fig5\.csv\) and the report of the run in /m);
    expect(lines(join(out, 'results/sim/fig5.csv'))).toEqual(fig5);
    expect(() => lines(fig2)).toThrow(/ENOENT/);
  });

  it.each([
    [['--out', ''], /^error: --out needs a directory, got ''$/],
    [['--out', '/etc/hostname/x'], /^error: --out \/etc\/hostname\/x: \/etc\/hostname is a file, not a directory$/],
    [['--resume', '--force', '--out', '/tmp'], /^error: option '--force' cannot be used with option '--resume'$/],
    [['--shard', '4/3'], /^error: --shard must be i\/n with 1 <= i <= n, got '4\/3'$/],
  ])('refuses %j in one line', async (args, message) => {
    const result = await harnessCli([...RUN, ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
  });
});
