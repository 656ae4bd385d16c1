/**
 * Micro-benchmarks of this host with tinybench: the per-byte work a
 * pre-copy stream costs (encryption, memory copies), one core each.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Bench, type Task } from 'tinybench';
import { PAGE_BYTES } from '../units.ts';
import { CIPHERS, type CipherName } from './profile.ts';
import { throughputFromLatency, type Statistic } from './stats.ts';

/** OpenSSH sends channel data in packets of up to 32 KiB; each is encrypted as one update. */
export const SSH_PACKET_BYTES = 32 * 1024;
/** One timed operation encrypts this much, packet by packet. */
const CIPHER_OP_BYTES = 1024 * 1024;
/** Larger than any last-level cache here, so copies run at memory speed as QEMU's do over guest RAM. */
export const COPY_REGION_BYTES = 64 * 1024 * 1024;

export interface MicroOptions {
  /** tinybench time budget per task, ms. */
  readonly timeMs: number;
}

const KEY_BYTES: Readonly<Record<CipherName, number>> = { 'aes-128-ctr': 16, 'chacha20-poly1305': 32, 'aes-128-gcm': 16 };
const IV_BYTES: Readonly<Record<CipherName, number>> = { 'aes-128-ctr': 16, 'chacha20-poly1305': 12, 'aes-128-gcm': 12 };

/**
 * One operation: 1 MiB of plaintext encrypted in 32 KiB updates. The AEAD
 * ciphers get a fresh context (and nonce) per packet and compute its tag,
 * as SSH's chacha20-poly1305 and aes-gcm do; CTR runs as one stream.
 */
function encryptOnce(cipher: CipherName, plaintext: Buffer, key: Buffer, iv: Buffer): number {
  let produced = 0;
  if (cipher === 'aes-128-ctr') {
    const context = createCipheriv(cipher, key, iv);
    for (let offset = 0; offset < plaintext.length; offset += SSH_PACKET_BYTES) {
      produced += context.update(plaintext.subarray(offset, offset + SSH_PACKET_BYTES)).length;
    }
    return produced + context.final().length;
  }
  for (let offset = 0; offset < plaintext.length; offset += SSH_PACKET_BYTES) {
    iv.writeUInt32BE(offset, iv.length - 4);
    const context = aeadContext(cipher, key, iv);
    produced += context.update(plaintext.subarray(offset, offset + SSH_PACKET_BYTES)).length;
    produced += context.final().length + context.getAuthTag().length;
  }
  return produced;
}

/** A fresh AEAD context with a 16-byte tag (node:crypto types each AEAD family by its own overload). */
function aeadContext(cipher: Exclude<CipherName, 'aes-128-ctr'>, key: Buffer, iv: Buffer) {
  switch (cipher) {
    case 'chacha20-poly1305':
      return createCipheriv(cipher, key, iv, { authTagLength: 16 });
    case 'aes-128-gcm':
      return createCipheriv(cipher, key, iv, { authTagLength: 16 });
  }
}

function completed(task: Task): Parameters<typeof throughputFromLatency>[0] {
  const result = task.result;
  if (result.state === 'errored') throw new Error(`benchmark '${task.name}' failed: ${result.error.message}`);
  if (result.state !== 'completed') throw new Error(`benchmark '${task.name}' did not complete (${result.state})`);
  return result.latency;
}

/** node:crypto throughput of each cipher, bytes of plaintext per second on one core. */
export async function benchCiphers(options: MicroOptions): Promise<Record<CipherName, Statistic<'B/s'>>> {
  const plaintext = randomBytes(CIPHER_OP_BYTES);
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs), iterations: 16, throws: true });
  let sink = 0;
  for (const cipher of CIPHERS) {
    const key = randomBytes(KEY_BYTES[cipher]);
    const iv = randomBytes(IV_BYTES[cipher]);
    bench.add(cipher, () => {
      sink ^= encryptOnce(cipher, plaintext, key, iv);
    });
  }
  await bench.run();
  if (sink === -1) throw new Error('unreachable: keeps the encryption from being optimised away');
  const rates = {} as Record<CipherName, Statistic<'B/s'>>;
  for (const task of bench.tasks) rates[task.name as CipherName] = throughputFromLatency(completed(task), CIPHER_OP_BYTES);
  return rates;
}

export interface CopyRates {
  readonly page4KiB: Statistic<'B/s'>;
  readonly large: Statistic<'B/s'>;
  readonly regionBytes: number;
}

/** Memory copy bandwidth: a region copied page by page (4 KiB memcpy each), and in one piece. */
export async function benchMemoryCopy(options: MicroOptions): Promise<CopyRates> {
  const source = randomBytes(COPY_REGION_BYTES);
  const target = Buffer.alloc(COPY_REGION_BYTES);
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs), iterations: 8, throws: true });
  bench
    .add('4 KiB pages', () => {
      for (let offset = 0; offset < COPY_REGION_BYTES; offset += PAGE_BYTES) source.copy(target, offset, offset, offset + PAGE_BYTES);
    })
    .add('large buffer', () => {
      source.copy(target, 0, 0, COPY_REGION_BYTES);
    });
  await bench.run();
  const [pages, large] = bench.tasks;
  return {
    page4KiB: throughputFromLatency(completed(pages!), COPY_REGION_BYTES),
    large: throughputFromLatency(completed(large!), COPY_REGION_BYTES),
    regionBytes: COPY_REGION_BYTES,
  };
}
