import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LOAD_FRACTION,
  MAX_PROBES,
  STEP,
  judgeProbe,
  loadRate,
  nextLadderStep,
  type Probe,
} from '../../../../harness/backends/qemu/web/capacity.ts';
import { parseHttperfSummary } from '../../../../harness/backends/qemu/web/httperf.ts';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../../../fixtures/httperf', `${name}.txt`), 'utf8');

const probe = (offeredRps: number, passed: boolean, replyRps = offeredRps): Probe => ({
  offeredRps,
  requests: 0,
  replies: 0,
  errors: 0,
  durationS: 3,
  replyRps,
  passed,
});

describe('capacity probes', () => {
  it('pass when every request was answered on pace without error', () => {
    const summary = parseHttperfSummary(fixture('per-call')); // 120 at 20/s, all answered
    const judged = judgeProbe(20, summary);
    expect(judged.passed).toBe(true);
    expect(judged.replyRps).toBeCloseTo(120 / summary.durationS, 6);
  });

  it('fail on timeouts (the overloaded capture)', () => {
    const judged = judgeProbe(400, parseHttperfSummary(fixture('overload')));
    expect(judged.passed).toBe(false);
    expect(judged.errors).toBe(720);
  });

  it('fail when replies fall behind the offered rate even without errors', () => {
    // All 40 sequential requests answered, but at 53/s: offered at 100/s that is a queue building up.
    const judged = judgeProbe(100, parseHttperfSummary(fixture('sequential')));
    expect(judged.errors).toBe(0);
    expect(judged.passed).toBe(false);
  });
});

describe('capacity ladder', () => {
  it('starts at the sequential rate', () => {
    expect(nextLadderStep(107.83, [])).toEqual({ action: 'probe', rateRps: 107.8 });
  });

  it('climbs by STEP while probes pass and stops at the first failure', () => {
    const next = nextLadderStep(100, [probe(100, true)]);
    expect(next.action === 'probe' ? next.rateRps : Number.NaN).toBeCloseTo(100 * STEP, 6);
    const done = nextLadderStep(100, [probe(100, true, 99.5), probe(115, true, 114.2), probe(132.3, false, 120)]);
    expect(done).toEqual({ action: 'done', capacityRps: 114.2 });
  });

  it('descends while probes fail and stops at the first pass', () => {
    expect(nextLadderStep(107.8, [probe(107.8, false)])).toEqual({ action: 'probe', rateRps: 93.7 });
    const done = nextLadderStep(107.8, [probe(107.8, false), probe(93.7, false), probe(81.5, false), probe(70.9, true, 71.05)]);
    expect(done).toEqual({ action: 'done', capacityRps: 71.05 });
  });

  it('gives up with the probes in the message after MAX_PROBES', () => {
    const probes = Array.from({ length: MAX_PROBES }, (_, i) => probe(10 * STEP ** i, true));
    expect(() => nextLadderStep(10, probes)).toThrow(/no web capacity after 10 probes \(10\/s ok/);
  });

  it('refuses a server that answered nothing, or nothing on time', () => {
    expect(() => nextLadderStep(0, [])).toThrow(/answered no sequential request/);
    expect(() => nextLadderStep(1, [probe(1, false)])).toThrow(/cannot serve even 1 request\/s/);
  });
});

describe('load rate', () => {
  it('is LOAD_FRACTION of the capacity, one decimal', () => {
    expect(loadRate(71.05)).toBe(Math.round(71.05 * LOAD_FRACTION * 10) / 10);
    expect(loadRate(71.05)).toBeLessThan(71.05);
    expect(() => loadRate(0.5)).toThrow(/too low/);
  });
});
