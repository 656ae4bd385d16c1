import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROOT } from './harness-cli.ts';

const step = z.looseObject({ run: z.string().optional(), uses: z.string().optional(), name: z.string().optional() });
const workflow = z.object({
  name: z.string(),
  on: z.object({ workflow_dispatch: z.object({ inputs: z.object({ shards: z.object({ default: z.string() }).loose() }) }) }),
  jobs: z.object({
    shard: z.looseObject({
      strategy: z.looseObject({ matrix: z.object({ index: z.array(z.number().int()) }) }),
      'runs-on': z.array(z.string()),
      steps: z.array(step),
    }),
    merge: z.looseObject({ needs: z.literal('shard'), steps: z.array(step) }),
  }),
});

describe('.github/workflows/paper-scale.yml', () => {
  const parsed = workflow.parse(parse(readFileSync(join(ROOT, '.github/workflows/paper-scale.yml'), 'utf8')));
  const runs = [...parsed.jobs.shard.steps, ...parsed.jobs.merge.steps].flatMap((candidate) => (candidate.run === undefined ? [] : [candidate.run]));

  it('runs one shard per matrix entry, 1 to n, and n is the shards input', () => {
    const { index } = parsed.jobs.shard.strategy.matrix;
    expect(index).toEqual(index.map((_, position) => position + 1));
    expect(Number(parsed.on.workflow_dispatch.inputs.shards.default)).toBe(index.length);
    expect(runs.some((command) => command.includes('--shard ${{ matrix.index }}/${{ inputs.shards }}'))).toBe(true);
    expect(runs.some((command) => command.startsWith('npm run merge -- '))).toBe(true);
  });

  it('calls only npm scripts the package has', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const called = runs.flatMap((command) => [...command.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]!));
    expect(called.length).toBeGreaterThan(0);
    for (const script of called) expect(scripts, script).toContain(script);
  });
});
