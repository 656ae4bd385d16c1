/**
 * QEMU 7.2's XBZRLE: from the second pass on, a page found in the cache is
 * sent as the runs of bytes that changed since it was cached; a page not
 * found goes out in full and takes a cache slot if it may
 * (migration/ram.c save_xbzrle_page, migration/xbzrle.c,
 * migration/page_cache.c). Pure but for the cache, which is the sender's
 * own state.
 */
import type { QemuSchemeParameters } from './parameter-types.ts';

/** ULEB128 length of a run (xbzrle.c uleb128_encode_small: 7 bits a byte). */
function uleb128Bytes(value: number): number {
  let bytes = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) bytes++;
  return bytes;
}

/**
 * xbzrle_encode_buffer's output length for a page that was `previous` and
 * is now `current`: alternating runs of unchanged bytes (a length) and of
 * changed bytes (a length and the bytes), the last unchanged run left out;
 * 0 for an unchanged page, -1 on overflow (more than `limit` bytes, or no
 * room for the next run's lengths), when the page goes out in full. The
 * word-at-a-time loops of the C code only speed this byte-wise rule up.
 */
export function xbzrleEncodedBytes(previous: Uint8Array, current: Uint8Array, limit: number): number {
  const length = current.length;
  let encoded = 0;
  let i = 0;
  while (i < length) {
    if (encoded + 2 > limit) return -1;
    let unchanged = 0;
    while (i < length && previous[i] === current[i]) {
      unchanged++;
      i++;
    }
    if (unchanged === length) return 0;
    if (i === length) return encoded;
    encoded += uleb128Bytes(unchanged);
    if (encoded + 2 > limit) return -1;
    let changed = 0;
    while (i < length && previous[i] !== current[i]) {
      changed++;
      i++;
    }
    encoded += uleb128Bytes(changed);
    if (encoded + changed > limit) return -1;
    encoded += changed;
  }
  return encoded;
}

/** A page's bytes up to the end of the workload's little-endian counter word at `offsetBytes`. */
function counterWord(value: number, offsetBytes: number, wordBytes: number): Uint8Array {
  const bytes = new Uint8Array(offsetBytes + wordBytes);
  // Counters stay far below 2^53: plain arithmetic is exact.
  let rest = Math.floor(value);
  for (let byte = 0; byte < wordBytes && rest > 0; byte++) {
    bytes[offsetBytes + byte] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/**
 * Bytes XBZRLE encodes for a page of the workload whose counter word went
 * from `previousCounter` to `currentCounter` and nothing else changed: the
 * bytes before the word are one unchanged run, those after it the last
 * unchanged run, left out.
 */
export function workloadDeltaBytes(
  previousCounter: number,
  currentCounter: number,
  write: { readonly offsetBytes: number; readonly wordBytes: number },
  pageBytes: number,
): number {
  const { offsetBytes, wordBytes } = write;
  return xbzrleEncodedBytes(counterWord(previousCounter, offsetBytes, wordBytes), counterWord(currentCounter, offsetBytes, wordBytes), pageBytes);
}

export type CacheOutcome = 'hit' | 'inserted' | 'refused';

/**
 * The XBZRLE cache: `slots` entries (cache bytes over page bytes, a power
 * of two), the slot of a page its address modulo the slots, each with the
 * page it holds, the sync count ("age") it was last used at, and here the
 * workload counter its cached copy holds.
 */
export class XbzrleCache {
  private readonly frames: Int32Array;
  private readonly ages: Float64Array;
  private readonly counters: Float64Array;

  constructor(
    readonly slots: number,
    private readonly lifetimeSyncs: number,
  ) {
    if (slots < 1 || (slots & (slots - 1)) !== 0) throw new Error(`the XBZRLE cache needs a power of two of pages, not ${slots}`);
    this.frames = new Int32Array(slots).fill(-1);
    this.ages = new Float64Array(slots);
    this.counters = new Float64Array(slots);
  }

  private slotOf(frame: number): number {
    return frame & (this.slots - 1);
  }

  /** cache_is_cached: whether `frame` holds the slot; a hit renews the slot's age. */
  lookup(frame: number, age: number): boolean {
    const slot = this.slotOf(frame);
    if (this.frames[slot] !== frame) return false;
    this.ages[slot] = age;
    return true;
  }

  /** cache_insert: takes the slot unless another page used it within the last `lifetimeSyncs` syncs. */
  insert(frame: number, age: number, counter: number): boolean {
    const slot = this.slotOf(frame);
    const holder = this.frames[slot]!;
    if (holder !== -1 && holder !== frame && this.ages[slot]! + this.lifetimeSyncs > age) return false;
    this.frames[slot] = frame;
    this.ages[slot] = age;
    this.counters[slot] = counter;
    return true;
  }

  /** The counter the cached copy of `frame` holds (after a hit). */
  cachedCounter(frame: number): number {
    return this.counters[this.slotOf(frame)]!;
  }

  /** After a delta went out the cache holds what was sent. */
  update(frame: number, counter: number): void {
    this.counters[this.slotOf(frame)] = counter;
  }
}

export interface XbzrleSender {
  /** Stream bytes of one region page re-sent at `tS` (the pass after pass 1 on). */
  pageBytes(regionIndex: number, tS: number, final: boolean): number;
  /** Tell it a bitmap sync happened: the cache's clock (dirty_sync_count). */
  synced(): void;
  readonly stats: { hits: number; misses: number; deltaBytes: number };
}

/**
 * save_xbzrle_page for the workload's pages: `frameOf` maps a region index
 * to its frame (the cache's address), `counterAt` the workload's counter
 * at a time. The cache's clock is ram.dirty-sync-count: the syncs before
 * pass 1, then one more for every `synced()`.
 */
export function xbzrleSender(options: {
  readonly parameters: QemuSchemeParameters['xbzrle'];
  readonly pageBytes: number;
  readonly pageHeaderBytes: number;
  readonly write: { readonly offsetBytes: number; readonly wordBytes: number };
  readonly frameOf: (regionIndex: number) => number;
  readonly counterAt: (tS: number) => number;
  readonly syncsBeforePass1: number;
}): XbzrleSender {
  const { parameters, pageBytes, pageHeaderBytes } = options;
  const cache = new XbzrleCache(Math.floor(parameters.cacheBytes / pageBytes), parameters.cachedPageLifetimeSyncs);
  const fullPage = pageHeaderBytes + pageBytes;
  const stats = { hits: 0, misses: 0, deltaBytes: 0 };
  let age = options.syncsBeforePass1;
  return {
    stats,
    synced: () => {
      age++;
    },
    pageBytes: (regionIndex, tS, final) => {
      const frame = options.frameOf(regionIndex);
      const counter = options.counterAt(tS);
      if (!cache.lookup(frame, age)) {
        stats.misses++;
        // In the last stage a miss is not cached: nothing will be sent again.
        if (!final) cache.insert(frame, age, counter);
        return fullPage;
      }
      stats.hits++;
      const encoded = workloadDeltaBytes(cache.cachedCounter(frame), counter, options.write, pageBytes);
      if (!final && encoded !== 0) cache.update(frame, counter);
      // An unchanged page is not sent at all; an overflow goes out in full.
      if (encoded === 0) return 0;
      if (encoded < 0) return fullPage;
      const bytes = pageHeaderBytes + parameters.encodingFlagBytes + parameters.encodedLengthBytes + encoded;
      stats.deltaBytes += bytes;
      return bytes;
    },
  };
}
