import { describe, expect, it } from 'vitest';
import { PROBE_WARM_UP_MS, arrivalRateBytesPerS, type Arrival } from '../../../harness/backends/qemu/link-probe.ts';

describe('the link probe\'s rate', () => {
  it('is the bytes that arrived after the warm-up, per second, to the last arrival', () => {
    // Slow start: 10 KB in the first 300 ms, then 12.5 MB/s for 2 s.
    const arrivals: Arrival[] = [[0, 1000], [100, 5000], [200, 10_000]];
    for (let t = PROBE_WARM_UP_MS; t <= 2300; t += 50) arrivals.push([t, 10_000 + (t - PROBE_WARM_UP_MS) * 12_500]);
    expect(arrivalRateBytesPerS(arrivals)).toBeCloseTo(12_500_000, 3);
  });

  it('needs arrivals on both sides of the warm-up', () => {
    expect(arrivalRateBytesPerS([[0, 10], [100, 20]])).toBeUndefined();
    expect(arrivalRateBytesPerS([[400, 10]])).toBeUndefined();
    expect(arrivalRateBytesPerS([])).toBeUndefined();
  });
});
