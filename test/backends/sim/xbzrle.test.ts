import { describe, expect, it } from 'vitest';
import { PAGE_BYTES, WORKLOAD_WRITE } from '../../../harness/backends/sim/parameters.ts';

const WORD = WORKLOAD_WRITE;
import { workloadDeltaBytes, XbzrleCache, xbzrleEncodedBytes } from '../../../harness/backends/sim/xbzrle.ts';

const page = (changes: Record<number, number> = {}) => {
  const bytes = new Uint8Array(PAGE_BYTES).fill(7);
  for (const [at, value] of Object.entries(changes)) bytes[Number(at)] = value;
  return bytes;
};

describe("XBZRLE's encoding (xbzrle.c xbzrle_encode_buffer)", () => {
  it('encodes an unchanged page as nothing', () => {
    expect(xbzrleEncodedBytes(page(), page(), PAGE_BYTES)).toBe(0);
  });

  it('encodes one changed run as its offset, its length and its bytes, dropping the last unchanged run', () => {
    // zrun 0 (1 byte), nzrun 3 (1 byte), 3 bytes.
    expect(xbzrleEncodedBytes(page(), page({ 0: 1, 1: 2, 2: 3 }), PAGE_BYTES)).toBe(5);
    // zrun 200 needs 2 ULEB128 bytes, nzrun 1: 2 + 1 + 1.
    expect(xbzrleEncodedBytes(page(), page({ 200: 1 }), PAGE_BYTES)).toBe(4);
    // Two runs: (0, 1, x) and (1, 1, y): 3 + 3.
    expect(xbzrleEncodedBytes(page(), page({ 0: 1, 2: 1 }), PAGE_BYTES)).toBe(6);
  });

  it('overflows (-1, the page goes out in full) when the runs do not fit the page', () => {
    const every = page(Object.fromEntries(Array.from({ length: PAGE_BYTES / 2 }, (_, i) => [2 * i, 0])));
    // 2,048 runs of (1-byte zrun length, 1-byte nzrun length, 1 byte) need 6 KiB.
    expect(xbzrleEncodedBytes(page(), every, PAGE_BYTES)).toBe(-1);
  });

  it("encodes the workload's write, a 64-bit counter at the page's start, as the low bytes that changed", () => {
    // 1 -> 2: one byte; 0x01ff -> 0x0200: two; a difference beyond 2^16: three.
    expect(workloadDeltaBytes(1, 2, WORD, PAGE_BYTES)).toBe(3);
    expect(workloadDeltaBytes(0x01ff, 0x0200, WORD, PAGE_BYTES)).toBe(4);
    expect(workloadDeltaBytes(100_000, 300_000, WORD, PAGE_BYTES)).toBe(5);
    // 0x010203 -> 0x020203: byte 0 and 1 equal, byte 2 changed: zrun 2, nzrun 1.
    expect(workloadDeltaBytes(0x010203, 0x020203, WORD, PAGE_BYTES)).toBe(3);
    // A word further into the page adds its offset as a first unchanged run: 200 needs 2 ULEB128 bytes.
    expect(workloadDeltaBytes(1, 2, { offsetBytes: 200, wordBytes: 8 }, PAGE_BYTES)).toBe(4);
  });
});

describe("XBZRLE's cache (page_cache.c)", () => {
  it('is direct-mapped: a page takes the slot of its frame modulo the slots', () => {
    const cache = new XbzrleCache(4, 2);
    expect(cache.insert(1, 1, 10)).toBe(true);
    expect(cache.lookup(1, 1)).toBe(true);
    expect(cache.lookup(5, 1)).toBe(false);
    expect(cache.cachedCounter(1)).toBe(10);
  });

  it('refuses to replace a page used within the last 2 syncs, and replaces an older one', () => {
    const cache = new XbzrleCache(4, 2);
    cache.insert(1, 3, 10);
    expect(cache.insert(5, 4, 20)).toBe(false);
    expect(cache.insert(5, 5, 20)).toBe(true);
    expect(cache.lookup(1, 5)).toBe(false);
    // A hit renews the age.
    expect(cache.lookup(5, 6)).toBe(true);
    expect(cache.insert(1, 7, 30)).toBe(false);
  });

  it('needs a power of two of slots, as cache_init does', () => {
    expect(() => new XbzrleCache(3, 2)).toThrow(/power of two/);
  });
});
