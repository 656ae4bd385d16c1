/**
 * Statistics of a measured figure: mean, the half-width of its 95 %
 * confidence interval (Student's t), how many samples it rests on, and
 * their range. Pure; the same shape whether tinybench timed the samples or
 * the testbed reported them.
 */

export interface Statistic<U extends string = string> {
  /** What one sample measures, e.g. `s`, `B/s`, `B`, `pages`. */
  readonly unit: U;
  readonly mean: number;
  /** Margin of error: half-width of the two-sided 95 % confidence interval of the mean. */
  readonly moe: number;
  /** `moe` relative to the mean, in %. */
  readonly rme: number;
  /** Number of samples. */
  readonly samples: number;
  readonly min: number;
  readonly max: number;
}

/** Two-sided 95 % critical values of Student's t for 1 to 30 degrees of freedom. */
const T_95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** Beyond 30 degrees of freedom: 40, 60, 120 and the normal limit. */
const T_95_TAIL: readonly (readonly [number, number])[] = [
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
];

/** Two-sided 95 % critical value of Student's t (the next tabulated df at or below `df`, so never too small). */
export function tCritical95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a whole number >= 1, got ${df}`);
  if (df <= T_95.length) return T_95[df - 1]!;
  let value = T_95[T_95.length - 1]!;
  for (const [atDf, critical] of T_95_TAIL) if (df >= atDf) value = critical;
  return df >= 1000 ? 1.96 : value;
}

/** Statistics of at least two samples (one sample has no spread, so no confidence interval). */
export function sampleStatistics<U extends string>(values: readonly number[], unit: U): Statistic<U> {
  if (values.length < 2) throw new Error(`a statistic needs at least 2 samples, got ${values.length}`);
  if (values.some((value) => !Number.isFinite(value))) throw new Error(`non-finite sample in [${values.join(', ')}]`);
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const moe = tCritical95(n - 1) * Math.sqrt(variance / n);
  return {
    unit,
    mean,
    moe,
    rme: mean === 0 ? 0 : (100 * moe) / Math.abs(mean),
    samples: n,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** The subset of tinybench's latency statistics (milliseconds) used here. */
export interface LatencyStatistics {
  readonly mean: number;
  readonly moe: number;
  readonly samplesCount: number;
  readonly min: number;
  readonly max: number;
}

/** tinybench latency statistics in milliseconds as seconds. */
export function secondsFromLatency(latency: LatencyStatistics): Statistic<'s'> {
  return {
    unit: 's',
    mean: latency.mean / 1000,
    moe: latency.moe / 1000,
    rme: latency.mean === 0 ? 0 : (100 * latency.moe) / latency.mean,
    samples: latency.samplesCount,
    min: latency.min / 1000,
    max: latency.max / 1000,
  };
}

/**
 * Bytes per second from tinybench latency statistics of an operation that
 * moves `bytesPerOp`: the mean rate is bytes over the mean time, and its
 * margin the latency's relative margin (first order), so a noisy latency
 * gives an equally noisy rate.
 */
export function throughputFromLatency(latency: LatencyStatistics, bytesPerOp: number): Statistic<'B/s'> {
  if (!(latency.mean > 0) || !(latency.min > 0)) throw new Error('latency must be positive to give a throughput');
  const mean = bytesPerOp / (latency.mean / 1000);
  const rme = (100 * latency.moe) / latency.mean;
  return {
    unit: 'B/s',
    mean,
    moe: (mean * rme) / 100,
    rme,
    samples: latency.samplesCount,
    min: bytesPerOp / (latency.max / 1000),
    max: bytesPerOp / (latency.min / 1000),
  };
}
