import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURE_IDS, readMeasuredRows, VALIDATED_FIGURES } from '../../harness/registry.ts';
import { MeasuredRunError, measuredDirectory, readMeasuredRun as readRun } from '../../harness/validate/measured.ts';

/** As the validate command reads a run: the registry's validated figures and readers. */
const readMeasuredRun = (path: string) =>
  readRun(
    path,
    VALIDATED_FIGURES.map((figure) => `fig${figure}`),
    (dir, names) => readMeasuredRows(dir, FIGURE_IDS.filter((figure) => names.includes(`fig${figure}`))),
  );

const ROOT = join(import.meta.dirname, '../..');

/** A copy of the committed qemu run whose run.json can be edited. */
function copyOfQemuRun(edit: (info: Record<string, unknown>) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'measured-'));
  const dir = join(root, 'qemu');
  cpSync(join(ROOT, 'results/qemu'), dir, { recursive: true });
  const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  edit(info);
  writeFileSync(join(dir, 'run.json'), JSON.stringify(info));
  return root;
}

describe('readMeasuredRun', () => {
  it('reads a finished qemu run from its directory or from a results root', () => {
    const root = copyOfQemuRun();
    expect(measuredDirectory(root)).toBe(join(root, 'qemu'));
    const run = readMeasuredRun(root);
    expect(run.info).toMatchObject({ backend: 'qemu', scale: 'ci', seed: 1, repetitions: 1 });
    expect(run.info.backendInfo.policy).toBe('xen');
    expect(run.rows.fig2!.length).toBeGreaterThan(0);
    expect(run.rows.fig4!.length).toBeGreaterThan(0);
    expect(run.rows.fig6!.length).toBeGreaterThan(0);
  });

  it('refuses what it cannot validate against, in one line', () => {
    expect(() => readMeasuredRun('/nonexistent')).toThrow(MeasuredRunError);
    expect(() => readMeasuredRun(join(ROOT, 'results/sim'))).toThrow(/run\.json: backend: .*expected the run\.json of a finished qemu run/);
    expect(() => readMeasuredRun(copyOfQemuRun((info) => ((info['outcome'] as { interrupted: boolean }).interrupted = true)))).toThrow(
      /that qemu run was interrupted/,
    );
    expect(() => readMeasuredRun(copyOfQemuRun((info) => delete info['outcome']))).toThrow(/outcome/);
    expect(() => readMeasuredRun(copyOfQemuRun((info) => (info['figures'] = ['fig3'])))).toThrow(/none of fig2, fig4, fig6/);
  });
});
