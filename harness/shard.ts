/**
 * Splitting a run over machines: a deterministic partition of its
 * measurements. Each measurement (a migration that every figure plotting it
 * shares) goes to one shard, decided over the backend's whole sweep, so the
 * partition does not move when --figure narrows a run. Where the backend
 * says what a point costs, the shards are balanced by it (longest first,
 * each to the least loaded shard); otherwise every measurement counts one.
 */

/** Shard `index` of `count`, counted from 1 as the command line says it. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface CostedMeasurement {
  readonly key: string;
  readonly cost: number;
}

/** The shard (1-based) of each measurement key. Ties go to the lower key and the lower shard, so every machine computes the same partition. */
export function partition(measurements: readonly CostedMeasurement[], count: number): Map<string, number> {
  const unique = new Map<string, number>();
  for (const { key, cost } of measurements) unique.set(key, Math.max(cost, unique.get(key) ?? 0));
  const ordered = [...unique].sort(([keyA, costA], [keyB, costB]) => costB - costA || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  for (const [key, cost] of ordered) {
    let least = 0;
    for (let shard = 1; shard < count; shard++) if (load[shard]! < load[least]!) least = shard;
    load[least]! += cost;
    shardOf.set(key, least + 1);
  }
  return shardOf;
}

/** `i/n` with 1 <= i <= n, or undefined for text that is not one. */
export function parseShard(text: string): Shard | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : undefined;
}
