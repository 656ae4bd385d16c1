import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOpensslSpeed, speedOf } from '../../harness/calibrate/openssl.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/openssl', name), 'utf8');

describe('parseOpensslSpeed', () => {
  it('reads every block size of a full table (OpenSSL 3.0 output)', () => {
    const results = parseOpensslSpeed(fixture('speed-chacha20-poly1305-all-sizes.txt'));
    expect(results.map((result) => result.blockBytes)).toEqual([16, 64, 256, 1024, 8192, 16384]);
    expect(new Set(results.map((result) => result.algorithm))).toEqual(new Set(['ChaCha20-Poly1305']));
    expect(speedOf(results, 'chacha20-poly1305', 16384)).toBe(3_663_495_840);
    expect(speedOf(results, 'chacha20-poly1305', 16)).toBe(192_702_160);
  });

  it('reads a one-size table (-bytes 16384)', () => {
    const results = parseOpensslSpeed(fixture('speed-aes-128-gcm-16384.txt'));
    expect(results).toEqual([{ algorithm: 'AES-128-GCM', blockBytes: 16384, bytesPerS: 2_904_817_000 }]);
  });

  it('keeps names with spaces (OpenSSL 1.1 legacy rows) and several rows', () => {
    const text = [
      "The 'numbers' are in 1000s of bytes per second processed.",
      'type             16 bytes     64 bytes',
      'aes-128 cbc     100.00k      200.50k',
      'AES-128-CTR     300.00k      400.00k',
    ].join('\n');
    expect(parseOpensslSpeed(text)).toEqual([
      { algorithm: 'aes-128 cbc', blockBytes: 16, bytesPerS: 100_000 },
      { algorithm: 'aes-128 cbc', blockBytes: 64, bytesPerS: 200_500 },
      { algorithm: 'AES-128-CTR', blockBytes: 16, bytesPerS: 300_000 },
      { algorithm: 'AES-128-CTR', blockBytes: 64, bytesPerS: 400_000 },
    ]);
  });

  it('says what is wrong with output it cannot read', () => {
    expect(() => parseOpensslSpeed('speed: Unknown algorithm foo\n')).toThrow(/no results table/);
    expect(() => parseOpensslSpeed('type 16 bytes 64 bytes\nAES-128-CTR 1.00k\n')).toThrow(/cannot read the row/);
    expect(() => parseOpensslSpeed('type 16 bytes\n')).toThrow(/no rows/);
    expect(() => speedOf(parseOpensslSpeed(fixture('speed-aes-128-gcm-16384.txt')), 'aes-128-ctr', 16384)).toThrow(/no result for aes-128-ctr/);
  });
});
