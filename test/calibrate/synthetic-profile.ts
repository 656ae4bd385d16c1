/**
 * A well-formed host profile with round, made-up numbers, for tests of the
 * schema and of the simulator's mechanisms (never a measurement).
 */
import type { HostProfile } from '../../harness/calibrate/profile.ts';
import { sampleStatistics } from '../../harness/calibrate/stats.ts';

const around = <U extends string>(value: number, unit: U) => sampleStatistics([value * 0.99, value, value * 1.01], unit);

export function syntheticProfile(): HostProfile {
  const rates = { 'aes-128-ctr': around(4e9, 'B/s'), 'chacha20-poly1305': around(2e9, 'B/s'), 'aes-128-gcm': around(3e9, 'B/s') };
  return {
    version: 2,
    measuredAt: '2026-01-01T00:00:00.000Z',
    durationS: 60,
    machine: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 8 * 1024 ** 3, kernel: '6.1.0', node: 'v20.0.0', qemu: '7.2.0', openssl: 'OpenSSL 3.0.0' },
    cipher: { node: rates, openssl: { status: 'measured', blockBytes: 16384, rates } },
    memoryCopy: { page4KiB: around(8e9, 'B/s'), large: around(12e9, 'B/s'), regionBytes: 64 * 1024 * 1024 },
    testbed: {
      status: 'measured',
      accel: 'tcg',
      policy: 'xen',
      qmpReadyS: around(0.1, 's'),
      bootS: around(7, 's'),
      zeroCopy: {
        system: 'vmbeam',
        memoryMb: 128,
        migrationS: around(0.04, 's'),
        downtimeS: around(0.02, 's'),
        networkBytes: around(320_000, 'B'),
        pagesSent: around(130, 'pages'),
        cpuS: around(0.03, 's'),
      },
      precopyUnshaped: {
        system: 'xen-nest',
        transport: 'ssh',
        memoryMb: 128,
        migrationS: around(1.5, 's'),
        downtimeS: around(0.02, 's'),
        networkBytes: around(110e6, 'B'),
        streamBytes: around(105e6, 'B'),
        normalPages: around(25_000, 'pages'),
        zeroPages: around(7_768, 'pages'),
        cpuS: around(2, 's'),
        guest: { totalMb: around(80, 'MB'), availableMb: around(58, 'MB'), filledMb: around(50, 'MB') },
      },
      runningGuestCpuPerS: around(0.02, 's/s'),
      links: [100, 300, 1000].map((rateMbitPerS) => ({
        rateMbitPerS,
        payloadBytesPerS: around(rateMbitPerS * 0.95 * 125_000, 'B/s'),
        txPerPayloadByte: around(1.01, 'B/B'),
        rxPerPayloadByte: around(0.005, 'B/B'),
      })),
    },
  };
}
