import { describe, expect, it } from 'vitest';
import { needsLogScale, validationChart } from '../../harness/render/validation.ts';
import { chartToSvg } from '../../harness/render/write.ts';
import type { ValidationRow } from '../../harness/results/validation.ts';

const row = (system: string, metric: string, predicted: number | undefined, measured: number | undefined): ValidationRow => ({
  system, memory_mb: 512, dirty_pages_per_s: 0, metric, predicted, measured, error_pct: undefined,
});

describe('validation chart', () => {
  it('uses log axes only for positive values spanning a wide range', () => {
    expect(needsLogScale([0.03, 0.04, 42])).toBe(true);
    expect(needsLogScale([10, 20, 40])).toBe(false);
    expect(needsLogScale([0, 0.03, 42])).toBe(false);
  });

  it('draws one panel per metric with one point per row and the y = x line', async () => {
    const rows = [
      row('vmbeam', 'migration_time_s', 0.04, 0.03),
      row('xen-nest', 'migration_time_s', 40, 42),
      row('xen-blanket', 'migration_time_s', 14, 14.3),
      row('xen-nest', 'iterations', 3, 4),
      row('xen-nest', 'downtime_s', undefined, 0.2),
    ];
    const chart = validationChart(rows);
    const spec = chart.spec as unknown as { concat: { title: string; layer: { data: { values: unknown[] } }[] }[] };
    expect(chart.name).toBe('validate');
    expect(spec.concat.map((panel) => panel.title)).toEqual(['migration time (s), log-log', 'iterations (passes)']);
    const [diagonal, points] = spec.concat[0]!.layer;
    expect(points!.data.values).toHaveLength(3);
    expect(diagonal!.data.values).toEqual([{ x: 0.03, y: 0.03 }, { x: 42, y: 42 }]);
    const svg = await chartToSvg(chart);
    expect(svg).toMatch(/^<svg/);
    expect((svg.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length).toBe(4);
  });
});
