import { describe, expect, it } from 'vitest';
import { parseShard, partition } from '../harness/shard.ts';

describe('partition', () => {
  const keys = Array.from({ length: 10 }, (_, index) => ({ key: `m${index}`, cost: 1 }));

  it('puts every measurement in exactly one shard, the same way every time', () => {
    const first = partition(keys, 3);
    expect([...first.keys()].sort()).toEqual(keys.map(({ key }) => key).sort());
    expect([...first.values()].every((shard) => shard >= 1 && shard <= 3)).toBe(true);
    expect(partition([...keys].reverse(), 3)).toEqual(first);
  });

  it('balances by cost: the longest go first, each to the least loaded shard', () => {
    const shardOf = partition(
      [
        { key: 'a', cost: 10 },
        { key: 'b', cost: 6 },
        { key: 'c', cost: 5 },
        { key: 'd', cost: 1 },
      ],
      2,
    );
    // LPT: a -> 1 (10), b -> 2 (6), c -> 2 (11), d -> 1 (11).
    expect(Object.fromEntries(shardOf)).toEqual({ a: 1, b: 2, c: 2, d: 1 });
  });

  it('counts a measurement once, however many figures plot it', () => {
    const shardOf = partition([...keys, ...keys], 2);
    expect(shardOf.size).toBe(10);
    const sizes = [1, 2].map((shard) => [...shardOf.values()].filter((value) => value === shard).length);
    expect(sizes).toEqual([5, 5]);
  });
});

describe('parseShard', () => {
  it.each([
    ['1/3', { index: 1, count: 3 }],
    [' 3 / 3 ', { index: 3, count: 3 }],
    ['0/3', undefined],
    ['4/3', undefined],
    ['1', undefined],
    ['a/b', undefined],
  ])('%j', (text, expected) => {
    expect(parseShard(text)).toEqual(expected);
  });
});
