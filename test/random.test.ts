import { describe, expect, it } from 'vitest';
import { Random } from '../harness/random.ts';

const draws = (random: Random, count: number, draw: (random: Random) => number) => Array.from({ length: count }, () => draw(random));

describe('Random', () => {
  it('names a sequence by its seed', () => {
    expect(draws(new Random(7), 8, (r) => r.next32())).toEqual(draws(new Random(7), 8, (r) => r.next32()));
    expect(draws(new Random(7), 8, (r) => r.next32())).not.toEqual(draws(new Random(8), 8, (r) => r.next32()));
  });

  it('stays in range', () => {
    const random = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const unit = random.next();
      expect(unit).toBeGreaterThanOrEqual(0);
      expect(unit).toBeLessThan(1);
      const index = random.below(13);
      expect(Number.isInteger(index) && index >= 0 && index < 13).toBe(true);
    }
  });

  // scatterBits inlines the generator for speed; it must draw exactly what below() would.
  it('scatters the same indices below() draws, and stops once every bit is set', () => {
    const bound = 100;
    const words = new Uint32Array(Math.ceil(bound / 32));
    const set = new Random(3).scatterBits(words, bound, 50, 0);
    const expected = new Set(draws(new Random(3), 50, (r) => r.below(bound)));
    const bits = Array.from({ length: bound }, (_, index) => index).filter((index) => (words[index >>> 5]! & (1 << (index & 31))) !== 0);
    expect(bits).toEqual([...expected].sort((a, b) => a - b));
    expect(set).toBe(expected.size);

    const full = new Uint32Array(1);
    expect(new Random(3).scatterBits(full, 4, 1_000_000, 0)).toBe(4);
  });
});
