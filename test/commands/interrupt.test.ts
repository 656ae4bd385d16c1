import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli } from '../harness-cli.ts';

/** Starts a sim run and sends `signals` once its stdout shows `when`; resolves to the result and the run's run.json. */
async function interruptedRun(when: RegExp, signals: readonly NodeJS.Signals[], gapMs = 0) {
  const out = mkdtempSync(join(tmpdir(), 'interrupt-'));
  const run = harnessCli(['experiment', '--scale', 'ci', '--reps', '3', '--out', out]);
  let sent = false;
  run.stdout!.on('data', (chunk: Buffer) => {
    if (sent || !when.test(chunk.toString())) return;
    sent = true;
    signals.forEach((signal, index) => setTimeout(() => run.kill(signal), index * gapMs));
  });
  const result = await run;
  return { result, sent, info: JSON.parse(readFileSync(join(out, 'results/sim/run.json'), 'utf8')) };
}

describe('an interrupted sim run', () => {
  it('on SIGHUP unwinds like on SIGINT: exit 129, rows kept, run.json marked interrupted', { timeout: 120_000 }, async () => {
    const { result, sent, info } = await interruptedRun(/^\[ *\d+\/\d+\] fig2 /m, ['SIGHUP']);
    expect(sent).toBe(true);
    expect(result.exitCode, result.stderr as string).toBe(129);
    expect(info.outcome.interrupted).toBe(true);
  });

  it('on two SIGINTs 5 ms apart still records the interruption in run.json', { timeout: 120_000 }, async () => {
    const { result, sent, info } = await interruptedRun(/^\[ *\d+\/\d+\] fig2 /m, ['SIGINT', 'SIGINT'], 5);
    expect(sent).toBe(true);
    expect(result.exitCode, result.stderr as string).toBe(130);
    expect(info.outcome).toMatchObject({ interrupted: true });
  });

  it('while writing its charts stops, says how to rebuild them, and records the interruption', { timeout: 120_000 }, async () => {
    const { result, sent, info } = await interruptedRun(/^wrote \d+ migrations/m, ['SIGTERM']);
    expect(sent).toBe(true);
    expect(result.exitCode, result.stderr as string).toBe(143);
    expect(result.stderr).toMatch(/interrupted while writing the report and charts: every row is kept; rebuild them with npm run report/);
    expect(info.outcome.interrupted).toBe(true);
  });
});
