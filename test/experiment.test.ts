import { describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../experiments/index.ts';
import { deriveSeed, expandPoints, pointId } from '../harness/experiment.ts';

describe('experiments', () => {
  it('expands the paper sweeps', () => {
    expect(expandPoints(EXPERIMENTS['2'])).toHaveLength(6 * 6);
    expect(expandPoints(EXPERIMENTS['3'])).toHaveLength(3);
    const fig6 = expandPoints(EXPERIMENTS['6']);
    expect(fig6).toHaveLength(3 * 11);
    expect(fig6.map((point) => point.dirtyPagesPerS).slice(0, 11)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
    ]);
  });

  it('names points from their values', () => {
    const [point] = expandPoints(EXPERIMENTS['6']);
    expect(pointId(point!)).toBe('fig6 vmbeam memory_mb=2048 dirty_region_mb=1024 dirty_pages_per_s=0');
  });

  it('gives every repetition of every point its own seed', () => {
    const seeds = expandPoints(EXPERIMENTS['6']).flatMap((point) => [1, 2, 3, 4, 5].map((rep) => deriveSeed(1, point, rep)));
    expect(new Set(seeds).size).toBe(seeds.length);
    const [point] = expandPoints(EXPERIMENTS['2']);
    expect(deriveSeed(7, point!, 1)).toBe(deriveSeed(7, point!, 1));
    expect(deriveSeed(7, point!, 1)).not.toBe(deriveSeed(8, point!, 1));
  });
});
