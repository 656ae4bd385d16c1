/**
 * `npm run calibrate`: measures this host once and returns its profile
 * (results/host-profile.json). The CLI decides where it goes and how to exit.
 */
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { CIPHERS, HOST_PROFILE_VERSION, type CipherName, type HostProfile } from './profile.ts';
import { benchCiphers, benchMemoryCopy } from './micro.ts';
import { opensslSpeed, opensslVersion } from './openssl.ts';
import { sampleStatistics, type Statistic } from './stats.ts';
import type { calibrateTestbed } from './testbed.ts';

/** OpenSSH's packets are up to 32 KiB; openssl speed's largest standard block is 16 KiB. */
export const OPENSSL_BLOCK_BYTES = 16384;

export interface CalibrationOptions {
  /** tinybench time budget per micro-benchmark, ms. */
  readonly microTimeMs: number;
  /** openssl speed runs per cipher (each `opensslSeconds` long). */
  readonly opensslRuns: number;
  readonly opensslSeconds: number;
  /** Measures the testbed, or says why it is not measured. */
  readonly testbed: { readonly run: () => ReturnType<typeof calibrateTestbed> } | { readonly skip: string };
  readonly qemuVersion: string | undefined;
  readonly onStep?: (message: string) => void;
}

async function opensslRates(options: CalibrationOptions, version: string | undefined): Promise<HostProfile['cipher']['openssl']> {
  if (version === undefined) return { status: 'unavailable', reason: 'openssl is not installed' };
  const rates = {} as Record<CipherName, Statistic<'B/s'>>;
  for (const cipher of CIPHERS) {
    const samples: number[] = [];
    for (let run = 0; run < options.opensslRuns; run++) samples.push(await opensslSpeed(cipher, OPENSSL_BLOCK_BYTES, options.opensslSeconds));
    rates[cipher] = sampleStatistics(samples, 'B/s');
  }
  return { status: 'measured', blockBytes: OPENSSL_BLOCK_BYTES, rates };
}

export async function calibrateHost(options: CalibrationOptions): Promise<HostProfile> {
  const started = performance.now();
  const measuredAt = new Date().toISOString();
  const step = options.onStep ?? (() => {});
  step('cipher throughput through node:crypto (tinybench)');
  const node = await benchCiphers({ timeMs: options.microTimeMs });
  step('cipher throughput through openssl speed');
  const opensslAt = await opensslVersion();
  const openssl = await opensslRates(options, opensslAt);
  step('memory copy bandwidth (tinybench)');
  const copy = await benchMemoryCopy({ timeMs: options.microTimeMs });
  let testbed: HostProfile['testbed'];
  if ('skip' in options.testbed) {
    testbed = { status: 'unavailable', reason: options.testbed.skip };
  } else {
    step('the qemu testbed: fixed costs (real migrations, tinybench), then its shaped links');
    testbed = await options.testbed.run();
  }
  return {
    version: HOST_PROFILE_VERSION,
    measuredAt,
    durationS: (performance.now() - started) / 1000,
    machine: {
      cpuModel: cpus()[0]?.model.trim() || 'unknown',
      cores: availableParallelism(),
      memoryBytes: totalmem(),
      kernel: release(),
      node: process.version,
      qemu: options.qemuVersion ?? null,
      openssl: opensslAt ?? null,
    },
    cipher: { node, openssl },
    memoryCopy: copy,
    testbed,
  };
}
