import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli, ROOT } from '../harness-cli.ts';
import { GATES, NOT_REPRODUCED } from '../../experiments/gates.ts';
import { evaluateGate, type RowSource } from '../../harness/gate/evaluate.ts';
import { directorySource } from '../../harness/gate/sources.ts';
import type { Gate } from '../../harness/gate/types.ts';

const SIM_GATES = GATES.filter((gate) => gate.name.startsWith('sim '));

/** A copy of the committed simulator results with fig2's column changed row by row. */
function alteredResults(change: (column: string, value: number, system: string, rep: number) => number): string {
  const root = mkdtempSync(join(tmpdir(), 'gate-'));
  cpSync(join(ROOT, 'results/sim'), join(root, 'sim'), { recursive: true });
  const path = join(root, 'sim/fig2.csv');
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const changed = lines.map((line) => {
    const cells = line.split(',');
    const system = cells[columns.indexOf('system')]!;
    const rep = Number(cells[columns.indexOf('rep')]);
    return cells
      .map((cell, index) => (cell === '' || Number.isNaN(Number(cell)) || index < 4 ? cell : String(change(columns[index]!, Number(cell), system, rep))))
      .join(',');
  });
  writeFileSync(path, `${[header, ...changed].join('\n')}\n`);
  return root;
}

function failing(current: RowSource, baseline: RowSource, gates: readonly Gate[] = SIM_GATES): string[] {
  return gates.map((gate) => evaluateGate(gate, current, baseline)).filter((v) => v.status === 'fail').map((v) => v.gate.name);
}

const committed = directorySource(join(ROOT, 'results'));

describe('gates', () => {
  it('pass on identical results, recording exactly the known misses of the paper', () => {
    const verdicts = SIM_GATES.map((gate) => evaluateGate(gate, committed, committed));
    expect(verdicts.filter((verdict) => verdict.status !== 'pass' && verdict.status !== 'not-reproduced')).toEqual([]);
    const misses = verdicts.filter((verdict) => verdict.status === 'not-reproduced').map((verdict) => verdict.gate.name);
    expect(misses.sort()).toEqual(Object.keys(NOT_REPRODUCED).map((id) => `sim paper ${id}`).sort());
  });

  it('record a marked miss without failing, fail an unmarked one, and flag a marked statement that now holds', () => {
    const gate = (notReproduced?: string): Gate => ({
      kind: 'paper', name: 'fig7', backend: 'sim', statement: 'fig7-vmbeam-degradation', ...(notReproduced === undefined ? {} : { notReproduced }),
    });
    const fig7 = (degradation: number): RowSource => (_backend, table) =>
      table === 'fig7' ? [{ backend: 'sim', system: 'vmbeam', memory_mb: 1024, rep: 1, status: 'ok', degradation_pct: degradation }] : [];
    expect(evaluateGate(gate('why'), fig7(5), undefined).status).toBe('not-reproduced');
    expect(evaluateGate(gate(), fig7(5), undefined).status).toBe('fail');
    const now = evaluateGate(gate('why'), fig7(30), undefined);
    expect(now.status).toBe('pass');
    expect(now.detail).toMatch(/now reproduced/);
    // Missing rows are a failure even for a known miss.
    expect(evaluateGate(gate('why'), () => [], undefined).status).toBe('fail');
  });

  it('fail the right gates when VMBeam gets three times slower', () => {
    const slower = directorySource(
      alteredResults((column, value, system) => (column === 'migration_time_s' && system === 'vmbeam' ? value * 3 : value)),
    );
    expect(failing(slower, committed).sort()).toEqual(
      [
        'sim paper vmbeam-time-4096',
        'sim paper blanket-over-vmbeam-128',
        'sim paper blanket-over-vmbeam-4096',
        'sim paper blanket-nocipher-over-vmbeam-max',
        'sim paper claim-speedup',
        'sim xen-blanket over vmbeam migration time at 4096 MB',
        'sim vmbeam migration time at 4096 MB vs baseline',
      ].sort(),
    );
  });

  it('pass noisy repetitions whose mean moved within the tolerance', () => {
    const noise = [0, 0.03, -0.02, 0.025, -0.01, 0.02];
    const noisy = directorySource(
      alteredResults((column, value, _system, rep) => (column === 'migration_time_s' ? value * (1 + noise[rep]!) : value)),
    );
    expect(failing(noisy, committed).filter((name) => name.endsWith('vs baseline'))).toEqual([]);
  });

  it('fail a noisy regression that is both large and significant, and only then', () => {
    const regression = (shift: number) =>
      directorySource(
        alteredResults((column, value, system, rep) =>
          column === 'migration_time_s' && system === 'xen-nest' ? value * (1 + shift + (rep % 2 === 0 ? 0.02 : -0.02)) : value,
        ),
      );
    const gate = GATES.find((candidate) => candidate.name === 'sim xen-nest migration time at 4096 MB vs baseline')!;
    expect(evaluateGate(gate, regression(0.2), committed).status).toBe('fail');
    expect(evaluateGate(gate, regression(0.04), committed).status).toBe('pass');
  });

  it('fail a gate whose rows are missing, rather than pass it', () => {
    const gate: Gate = {
      kind: 'threshold',
      name: 'no such point',
      select: { backend: 'sim', table: 'fig2', system: 'vmbeam', where: { memory_mb: 999 } },
      metric: 'downtime_s',
      comparator: '<=',
      bound: 1,
    };
    const verdict = evaluateGate(gate, committed, undefined);
    expect(verdict.status).toBe('fail');
    expect(verdict.detail).toMatch(/no successful rows/);
  });

  it('skip regression gates when no baseline is given', () => {
    const gate = SIM_GATES.find((candidate) => candidate.kind === 'regression')!;
    expect(evaluateGate(gate, committed, undefined).status).toBe('skipped');
  });
});

describe('npm run gate', () => {
  const gateCli = (...args: string[]) => harnessCli(['gate', ...args]);

  it('exits 2 with one line when a results file is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gate-empty-'));
    const result = await gateCli('--backend', 'sim', '--results', empty, '--report-dir', empty);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: cannot read .*sim\/fig2\.csv: no such file/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 1 on a regression and writes the Markdown and JUnit reports', async () => {
    const slower = alteredResults((column, value, system) => (column === 'migration_time_s' && system === 'vmbeam' ? value * 3 : value));
    const reports = mkdtempSync(join(tmpdir(), 'gate-reports-'));
    const result = await gateCli('--backend', 'sim', '--results', slower, '--baseline', join(ROOT, 'results'), '--report-dir', reports);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/sim vmbeam migration time at 4096 MB vs baseline +\+200\.0 %/);
    const junit = readFileSync(join(reports, 'gate-junit.xml'), 'utf8');
    expect(junit.match(/<failure/g)).toHaveLength(7);
    expect(readFileSync(join(reports, 'gate-report.md'), 'utf8')).toMatch(/\| \*\*fail\*\* \|/);
  });

  it('exits 0 when every selected gate passes', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'gate-reports-'));
    const result = await gateCli('--only', 'sim vmbeam downtime at 4096 MB', '--report-dir', reports);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1 passed, 0 failed, 0 skipped/);
  });
});
