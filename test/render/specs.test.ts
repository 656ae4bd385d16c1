import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureName } from '../../harness/experiment.ts';
import { guestSizeLabel, provenanceLabel } from '../../harness/labels.ts';
import { fig4Charts } from '../../harness/render/specs.ts';
import { repetitionNote } from '../../harness/render/charts.ts';
import { CHART_WIDTH_PX } from '../../harness/render/style.ts';
import { chartToSvg } from '../../harness/render/write.ts';
import { FIGURE_IDS, FIGURE_REGISTRY } from '../../harness/registry.ts';
import type { Fig4Row } from '../../harness/results/tables.ts';

const fig4Row = (backend: string, memoryMb: number): Fig4Row => ({
  backend,
  system: 'vmbeam',
  memory_mb: memoryMb,
  rep: 1,
  status: 'ok',
  error: undefined,
  cpu_time_s: 1,
  mean_cpu_utilization_pct: 50,
});

describe('chart titles', () => {
  it('names the guest size the rows were measured with', () => {
    expect(guestSizeLabel([{ memory_mb: 4096 }])).toBe(', 4 GB guest');
    expect(guestSizeLabel([{ memory_mb: undefined }, { memory_mb: 256 }])).toBe(', 256 MB guest');
    expect(guestSizeLabel([])).toBe('');
  });

  it('calls simulator results predictions and testbed results nothing of the kind', () => {
    expect(provenanceLabel([{ backend: 'sim' }])).toBe(' (prediction)');
    expect(provenanceLabel([{ backend: 'qemu' }])).toBe('');
    expect(provenanceLabel([])).toBe('');
  });

  it('titles a qemu Fig. 4 by its own guest, not the paper scale', () => {
    const [cpuOverTime] = fig4Charts([fig4Row('qemu', 512)], []);
    expect(JSON.stringify(cpuOverTime?.spec)).toContain('during migration, 512 MB guest"');
    const [simulated] = fig4Charts([fig4Row('sim', 4096)], []);
    expect(JSON.stringify(simulated?.spec)).toContain('4 GB guest (prediction)');
  });
});

describe('chart layout', () => {
  it('says how many repetitions each value is and what the bars mean', () => {
    const point = (min: number, max: number, n = 5) => ({ system: 'vmbeam' as const, label: 'VMBeam', x: 1, mean: (min + max) / 2, min, max, n });
    expect(repetitionNote([point(1, 2), point(1, 1, 3)])).toBe('mean of n = 3–5 repetitions per point; vertical bars: min–max');
    expect(repetitionNote([point(1, 1)], '1 s bin')).toBe('n = 5 repetitions per 1 s bin, all identical (a deterministic model)');
    expect(repetitionNote([point(1, 1, 1)], 'system')).toBe('n = 1 repetition per system');
  });

  it('draws every figure of the committed sim and qemu runs at one width, so a page shows their text at one size', async () => {
    for (const dir of ['results/sim', 'results/qemu']) {
      // The figures each run made, as its run.json lists them.
      const made: string[] = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).figures;
      for (const figure of FIGURE_IDS.filter((id) => made.includes(figureName(id)))) {
        for (const chart of FIGURE_REGISTRY[figure].charts(dir)) {
          const svg = await chartToSvg(chart);
          expect(`${dir} ${chart.name} ${svg.match(/^<svg[^>]* width="(\d+)"/)?.[1]}`).toBe(`${dir} ${chart.name} ${CHART_WIDTH_PX}`);
        }
      }
    }
  }, 60_000);
});
