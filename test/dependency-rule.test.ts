import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** The rule's verdict on a tree, as `rule: from → to` (cycles once per module in them). */
function violations(cwd: string): string[] {
  let output: string;
  try {
    output = execFileSync(process.execPath, [DEPCRUISE, 'harness', 'experiments', '--config', CONFIG, '--output-type', 'json'], { cwd, encoding: 'utf8' });
  } catch (error) {
    // depcruise exits with the number of violations; its report is on stdout all the same.
    output = String((error as { stdout?: unknown }).stdout ?? '');
  }
  const result = JSON.parse(output) as { summary: { violations: Violation[] } };
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

/** A tree of tiny modules, each importing what it lists, shaped like the repository. */
function tree(modules: Record<string, string[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  trees.push(root);
  for (const [path, imports] of Object.entries(modules)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    const lines = imports.map((target, index) => {
      const [kind, to] = target.startsWith('type ') ? ['import type', target.slice(5)] : ['import', target];
      return `${kind} * as m${index} from '${relativeTo(path, to)}';\nexport const use${index} = m${index};`;
    });
    writeFileSync(join(root, path), `${lines.join('\n')}\nexport const here = 1;\n`);
  }
  return root;
}

/** `to` as seen from `from`; every module sits in a folder, so this always starts with `../`. */
function relativeTo(from: string, to: string): string {
  return `${'../'.repeat(from.split('/').length - 1)}${to}`;
}

describe('the dependency rule (.dependency-cruiser.cjs)', () => {
  it('holds for the repository', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('accepts imports that point down', () => {
    const root = tree({
      'harness/experiment.ts': [],
      'harness/backends/backend.ts': ['type harness/experiment.ts'],
      'harness/backends/sim/index.ts': ['harness/backends/backend.ts', 'harness/backends/sim/model.ts'],
      'harness/backends/sim/model.ts': ['harness/experiment.ts'],
      'experiments/fig2.ts': ['type harness/experiment.ts'],
      'harness/runner.ts': ['harness/backends/backend.ts'],
      'harness/cli.ts': ['harness/runner.ts', 'harness/backends/sim/index.ts', 'experiments/fig2.ts'],
    });
    expect(violations(root)).toEqual([]);
  });

  it('rejects imports that point up or sideways, values from experiments, cycles and modules outside the layers', () => {
    const root = tree({
      'harness/experiment.ts': [],
      'harness/stats.ts': ['type harness/backends/backend.ts'],
      'harness/backends/backend.ts': ['type harness/experiment.ts'],
      'harness/backends/sim/index.ts': ['harness/backends/qemu/links.ts'],
      'harness/backends/qemu/links.ts': [],
      'harness/backends/xen/index.ts': ['experiments/fig2.ts'],
      'experiments/fig2.ts': ['harness/experiment.ts'],
      'harness/runner.ts': ['harness/cli.ts'],
      'harness/cli.ts': ['harness/runner.ts'],
      'harness/stray.ts': ['harness/experiment.ts'],
    });
    const found = violations(root);
    // A cycle is reported from whichever of its modules the cruise meets first.
    const cycles = found.filter((line) => line.startsWith('no-circular: '));
    expect(cycles.map((line) => line.replace('no-circular: ', '').split(' → ').sort())).toEqual([['harness/cli.ts', 'harness/runner.ts']]);
    expect(found.filter((line) => !cycles.includes(line)).sort()).toEqual(
      [
        'layer-base: harness/stats.ts → harness/backends/backend.ts',
        'backend-siblings: harness/backends/sim/index.ts → harness/backends/qemu/links.ts',
        'layer-backends: harness/backends/xen/index.ts → experiments/fig2.ts',
        'experiments-import-types-only: experiments/fig2.ts → harness/experiment.ts',
        'layer-runner: harness/runner.ts → harness/cli.ts',
        'outside-the-layers: harness/stray.ts → harness/experiment.ts',
      ].sort(),
    );
  });
});
