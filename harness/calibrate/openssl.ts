/**
 * `openssl speed` where it is installed: the cipher rates OpenSSH's own
 * library reaches on this host. The parser is pure; running the tool goes
 * through execa.
 */
import { execa } from 'execa';
import type { CipherName } from './profile.ts';

export interface SpeedResult {
  /** As openssl prints it, e.g. `AES-128-CTR` or `ChaCha20-Poly1305`. */
  readonly algorithm: string;
  readonly blockBytes: number;
  readonly bytesPerS: number;
}

const HEADER = /^type\s+(.*)$/;
const SIZE = /(\d+)\s+bytes/g;
const RATE = /^(\d+(?:\.\d+)?)k$/;

/**
 * Parses the results table of `openssl speed` (OpenSSL 1.1 and 3.x):
 *
 *     The 'numbers' are in 1000s of bytes per second processed.
 *     type          16 bytes     64 bytes ... 16384 bytes
 *     AES-128-CTR   612345.67k   ...
 *
 * One result per algorithm and block size. Throws when there is no table
 * or a row does not match its header.
 */
export function parseOpensslSpeed(text: string): SpeedResult[] {
  const lines = text.split('\n').map((line) => line.trim());
  const headerAt = lines.findIndex((line) => HEADER.test(line));
  if (headerAt < 0) throw new Error("openssl speed printed no results table (no 'type ... bytes' line)");
  const sizes = [...lines[headerAt]!.matchAll(SIZE)].map((match) => Number(match[1]));
  if (sizes.length === 0) throw new Error(`openssl speed: no block sizes in '${lines[headerAt]}'`);
  const results: SpeedResult[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (line === '') continue;
    const tokens = line.split(/\s+/);
    const values = tokens.slice(-sizes.length);
    if (values.length !== sizes.length || !values.every((token) => RATE.test(token))) {
      throw new Error(`openssl speed: cannot read the row '${line}' (expected a name and ${sizes.length} rate(s) in 1000s of bytes/s)`);
    }
    const algorithm = tokens.slice(0, tokens.length - sizes.length).join(' ');
    if (algorithm === '') throw new Error(`openssl speed: a row without an algorithm name: '${line}'`);
    values.forEach((token, index) => {
      results.push({ algorithm, blockBytes: sizes[index]!, bytesPerS: Number(RATE.exec(token)![1]) * 1000 });
    });
  }
  if (results.length === 0) throw new Error('openssl speed printed a table header but no rows');
  return results;
}

/** The rate of one cipher at one block size from a parsed table (names compared without case). */
export function speedOf(results: readonly SpeedResult[], cipher: CipherName, blockBytes: number): number {
  const found = results.find((result) => result.algorithm.toLowerCase() === cipher && result.blockBytes === blockBytes);
  if (found === undefined) throw new Error(`openssl speed: no result for ${cipher} at ${blockBytes} bytes`);
  return found.bytesPerS;
}

/** `openssl version`, or undefined when openssl is not installed. */
export async function opensslVersion(): Promise<string | undefined> {
  const result = await execa('openssl', ['version'], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** One run of `openssl speed -evp <cipher>` at one block size for `seconds`. */
export async function opensslSpeed(cipher: CipherName, blockBytes: number, seconds: number): Promise<number> {
  const result = await execa('openssl', ['speed', '-evp', cipher, '-seconds', String(seconds), '-bytes', String(blockBytes)], {
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new Error(`openssl speed -evp ${cipher} failed: ${(result.stderr || result.stdout).split('\n')[0] ?? ''}`);
  }
  return speedOf(parseOpensslSpeed(result.stdout), cipher, blockBytes);
}
