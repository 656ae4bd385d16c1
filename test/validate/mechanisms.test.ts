import { describe, expect, it } from 'vitest';
import type { ValidationRow } from '../../harness/results/validation.ts';
import { MECHANISM_NOTES, fitTwo, notesFor, slope } from '../../harness/validate/mechanisms.ts';
import { METRICS } from '../../harness/validate/compare.ts';
import { hostInputs, hostParameters } from '../../harness/calibrate/sim-profile/index.ts';
import { syntheticProfile } from '../calibrate/synthetic-profile.ts';

const inputs = hostInputs(syntheticProfile(), 'synthetic.json', 'xen', 900);
const testbed = inputs.testbed;
const parameters = hostParameters(inputs);

const row = (system: string, memory_mb: number, rate: number, metric: string, predicted: number, measured: number): ValidationRow => ({
  system, memory_mb, dirty_pages_per_s: rate, metric, predicted, measured, error_pct: ((predicted - measured) / measured) * 100,
});

describe('fitTwo and slope', () => {
  it('recover exact linear relations', () => {
    const x1 = [10, 40, 15];
    const x2 = [100, 200, 900];
    const y = x1.map((value, i) => 0.2 * value + 0.003 * x2[i]!);
    const fit = fitTwo(x1, x2, y)!;
    expect(fit.a).toBeCloseTo(0.2, 10);
    expect(fit.b).toBeCloseTo(0.003, 10);
    expect(slope([128, 256, 512], [1, 2, 4])).toBeCloseTo(1 / 128, 12);
  });

  it('give up where the data cannot separate them', () => {
    expect(fitTwo([1, 2], [2, 4], [3, 6])).toBeUndefined();
    expect(fitTwo([1], [2], [3])).toBeUndefined();
    expect(slope([512, 512], [1, 2])).toBeUndefined();
  });
});

describe('mechanism notes', () => {
  it('only name metrics that validation compares', () => {
    const metrics = new Set<string>(METRICS.map((entry) => entry.metric));
    for (const note of MECHANISM_NOTES) for (const metric of note.metrics) expect(metrics.has(metric), note.id).toBe(true);
  });

  it('split unmodelled CPU into a per-second and a per-byte part from the data', () => {
    // measured = predicted + 0.1 cores x time + 5 ns/B x bytes
    const points = [
      { system: 'xen-nest', time: 42, bytes: 5e8, predicted: 1 },
      { system: 'xen-nest', time: 14, bytes: 6e8, predicted: 1 },
    ];
    const rows = points.flatMap((p, i) => [
      row(p.system, 512 * (i + 1), 0, 'cpu_time_s', p.predicted, p.predicted + 0.1 * p.time + 5e-9 * p.bytes),
      row(p.system, 512 * (i + 1), 0, 'migration_time_s', p.time, p.time),
      row(p.system, 512 * (i + 1), 0, 'network_bytes', p.bytes, p.bytes),
    ]);
    const notes = notesFor('cpu_time_s', 'xen-nest', rows, testbed, parameters);
    expect(notes.map((found) => found.note.id)).toEqual(['cpu-unmodelled-work']);
    expect(notes[0]!.evidence).toMatch(/≈ 0\.100 CPU-s per second of migration plus 5\.00 ns per byte/);
  });

  it('turn a downtime into the bytes queued at the stop, at the link rate', () => {
    // The synthetic 100 Mbit/s link carries 11.875 MB/s of payload; the synthetic final stage is 20 ms.
    const rows = [row('xen-nest', 128, 0, 'downtime_s', 0.1, 0.22), row('xen-nest', 256, 0, 'downtime_s', 0.1, 0.12)];
    const [found] = notesFor('downtime_s', 'xen-nest', rows, testbed, parameters);
    expect(found!.note.id).toBe('queued-at-stop');
    expect(found!.evidence).toMatch(/implies 2\.38 MB at 128 MB, 1\.19 MB at 256 MB queued at the stop \(the SSH tunnel on a 100 Mbit\/s link/);
    expect(found!.evidence).toMatch(/the model queues 2\.31 MB\.$/);
  });

  it('point at the fixed final stage when a downtime is shorter than it', () => {
    const rows = [row('physical', 128, 0, 'downtime_s', 0.04, 0.012)];
    const found = notesFor('downtime_s', 'physical', rows, testbed, parameters);
    expect(found.map((note) => note.note.id)).toEqual(['final-stage-link']);
    expect(found[0]!.evidence).toBe('measured 12.0 ms at 128 MB: shorter than the final stage alone (20.0 ms, measured on a 100 Mbit/s link; this one runs at 1000 Mbit/s).');
  });

  it('count the extra pass of an idle guest', () => {
    const rows = [row('xen-nest', 128, 0, 'iterations', 3, 4), row('xen-nest', 256, 0, 'iterations', 3, 4)];
    const [found] = notesFor('iterations', 'xen-nest', rows, testbed, parameters);
    expect(found!.note.id).toBe('idle-guest-writes');
    expect(found!.evidence).toBe('the testbed counted +1 at 128 MB, +1 at 256 MB iterations.');
  });

  it('keep idle and dirtying points apart, and zero-copy notes to zero-copy systems', () => {
    const rows = [row('xen-nest', 512, 8000, 'iterations', 8, 9)];
    expect(notesFor('iterations', 'xen-nest', rows, testbed, parameters).map((found) => found.note.id)).toEqual(['dirtying-under-tcg']);
    const zero = [row('vmbeam', 128, 0, 'downtime_s', 0.02, 0.03)];
    const ids = notesFor('downtime_s', 'vmbeam', zero, testbed, parameters).map((found) => found.note.id);
    expect(ids).toEqual(['zero-copy-fixed-costs']);
  });

  it('compare per-MB growth when the data pages grow differently', () => {
    const rows = [row('xen-nest', 128, 0, 'network_bytes', 100e6, 100e6), row('xen-nest', 512, 0, 'network_bytes', 460e6, 500e6)];
    const found = notesFor('network_bytes', 'xen-nest', rows, testbed, parameters).find((note) => note.note.id === 'guest-data-pages')!;
    expect(found.evidence).toMatch(/per MB of guest the testbed took 1\.042 MB, the model 0\.938 MB \(-10\.0 %\)/);
  });
});
