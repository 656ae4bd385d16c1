import { Random } from './random.ts';

/** Arithmetic mean; undefined for no values, since a missing value is never 0. */
export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Percentile bootstrap interval of mean(current) / mean(baseline): each
 * sample is resampled with replacement, independently. Seeded, so a gate's
 * verdict is reproducible.
 */
export function bootstrapRatioInterval(
  current: readonly number[],
  baseline: readonly number[],
  confidence: number,
  resamples = 4000,
  seed = 1,
): Interval {
  const random = new Random(seed);
  const resampledMean = (values: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[random.below(values.length)]!;
    return sum / values.length;
  };
  const ratios = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) ratios[i] = resampledMean(current) / resampledMean(baseline);
  ratios.sort();
  const tail = (1 - confidence) / 2;
  return {
    low: ratios[Math.floor(tail * (resamples - 1))]!,
    high: ratios[Math.ceil((1 - tail) * (resamples - 1))]!,
  };
}
