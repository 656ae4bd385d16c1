/**
 * Sets up the fake testbed of test/fixtures/bin for one test file: the fakes
 * first on PATH, a private state directory, a /proc/net/dev stand-in and a
 * testbed file. Each vitest file runs in its own process, so the
 * environment set here is this file's alone.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseNetDev } from '../../../harness/backends/xen/netdev.ts';
import type { MigrationPoint } from '../../../harness/experiment.ts';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

export interface FakeTestbed {
  readonly dir: string;
  readonly testbedPath: string;
  readonly netDevPath: string;
  /** Host and command of every ssh call so far. */
  sshCalls(): { host: string; command: string }[];
  /** Domains the fake xl keeps on a host. */
  domains(host: string): { name: string; memoryMb: number }[];
  txBytes(): number;
  remove(): void;
}

export function fakeTestbed(overrides: Record<string, unknown> = {}): FakeTestbed {
  const dir = mkdtempSync(join(tmpdir(), 'xen-fake-'));
  const netDevPath = join(dir, 'proc-net-dev');
  copyFileSync(join(FIXTURES, 'xen', 'proc-net-dev.txt'), netDevPath);
  const testbed = {
    source: { host: 'root@dom0-a' },
    destination: { host: 'dom0-b' },
    cloudDom0: { host: 'root@cloud-dom0', domains: ['Domain-0', 'cloudvm-a', 'cloudvm-b'] },
    guest: { name: 'guest1', config: join(FIXTURES, 'xen', 'guest1.cfg') },
    ssh: { options: ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'] },
    interface: 'eth0',
    systems: { 'xen-nest': { sshCipher: 'aes128-ctr' }, 'xen-nest-nocipher': { sshCipher: 'none' }, 'xen-blanket': {} },
    ...overrides,
  };
  const testbedPath = join(dir, 'testbed.json');
  writeFileSync(testbedPath, JSON.stringify(testbed));
  const sshLog = join(dir, 'ssh.log');
  writeFileSync(sshLog, '');
  process.env.PATH = `${join(FIXTURES, 'bin')}${delimiter}${process.env.PATH ?? ''}`;
  process.env.FAKE_XEN_STATE = join(dir, 'state');
  process.env.FAKE_PROC_NET_DEV = netDevPath;
  process.env.FAKE_SSH_LOG = sshLog;
  process.env.FAKE_XL_LINE_DELAY_MS = '5';
  process.env.FAKE_XENTOP_INTERVAL_MS = '40';
  delete process.env.FAKE_SSH_UNREACHABLE;
  delete process.env.FAKE_XL_SCENARIO;
  return {
    dir,
    testbedPath,
    netDevPath,
    sshCalls: () =>
      readFileSync(sshLog, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [host, ...command] = line.split('\t');
          // The fake ssh logs one line per call, with \n and \ escaped.
          return { host: host!, command: command.join('\t').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) };
        }),
    domains: (host) => {
      const path = join(dir, 'state', host);
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const [name, , memory] = line.split(' ');
          return { name: name!, memoryMb: Number(memory) };
        });
    },
    txBytes: () => parseNetDev(readFileSync(netDevPath, 'utf8'), 'eth0')!.txBytes,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function point(overrides: Partial<MigrationPoint> = {}): MigrationPoint {
  return { figure: '2', system: 'xen-nest', memoryMb: 1024, dirtyRegionMb: 0, dirtyPagesPerS: 0, guestDom0Cpus: 1, ...overrides };
}

export const context = () => ({ seed: 1, signal: new AbortController().signal });

/** Test options: fast sampling, and a migration limit short enough for the hang test. */
export const FAST = { sampleIntervalS: 0.05, migrationTimeoutS: 20, commandTimeoutS: 20, bootTimeoutS: 10 };
