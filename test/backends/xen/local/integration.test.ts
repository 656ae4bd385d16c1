/**
 * The local nested-Xen testbed for real: two QEMU TCG cloud VMs running Xen
 * 4.17, one real `xl migrate` over ssh, and the teardown on success and on
 * SIGINT. Skips (saying why) without root or the packages of
 * `npm run setup:xen`. About 3 minutes on 2 cores.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalTestbed } from '../../../../harness/backends/xen/local/index.ts';
import { NAMESPACE_PREFIX } from '../../../../harness/backends/xen/local/cleanup.ts';
import { checkLocalPrerequisites } from '../../../../harness/backends/xen/local/prereq.ts';
import { ROOT } from '../../../harness-cli.ts';

const skipReason = checkLocalPrerequisites();

/** What a testbed of process `pid` could leave: its namespace, run directory and QEMUs. */
function leftovers(pid: number, qemuPids: readonly number[] = []): string[] {
  const found: string[] = [];
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (namespaces.split('\n').some((line) => line.split(' ')[0] === `${NAMESPACE_PREFIX}${pid}`)) found.push(`namespace ${NAMESPACE_PREFIX}${pid}`);
  for (const entry of readdirSync(tmpdir())) if (entry.startsWith(`vmbeam-xen-${pid}-`)) found.push(`${tmpdir()}/${entry}`);
  // A killed QEMU stays a zombie of this process until Node reaps it: that is gone, not left behind.
  for (const qemu of qemuPids) if (existsSync(`/proc/${qemu}`) && !/^\d+ \(.*\) Z /.test(readStat(qemu))) found.push(`QEMU ${qemu}`);
  // QEMUs of that run, known by the run directory on their command line.
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`vmbeam-xen-${pid}-`)) found.push(`process ${entry}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

describe.skipIf(skipReason !== null)(`the local xen testbed${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('migrates a 96 MB PVH guest with real xl migrate over ssh, measures it, and leaves nothing behind', { timeout: 420_000 }, async () => {
    const signal = new AbortController().signal;
    const backend = await startLocalTestbed({ log: () => {}, signal });
    let qemuPids: number[] = [];
    try {
      const info = await backend.describe();
      expect(info['sourceXenVersion']).toMatch(/^4\.17/);
      expect(info['testbed']).toBe('local');
      qemuPids = (String(info['cpuLoad']).match(/pids (\d+), (\d+)/) ?? []).slice(1).map(Number);
      expect(qemuPids).toHaveLength(2);
      const m = await backend.migrate(
        { figure: '2', system: 'xen-blanket', memoryMb: 96, dirtyRegionMb: 0, dirtyPagesPerS: 0, guestDom0Cpus: 1 },
        { seed: 1, signal },
      );
      expect(m.downtimeS).toBeGreaterThan(0);
      expect(m.downtimeS!).toBeLessThan(m.migrationTimeS);
      // Every page of the guest crossed the virtio link, with TCP and ssh framing on top.
      expect(m.networkBytes!).toBeGreaterThan(96 * 1024 * 1024);
      expect(m.transferDurationS!).toBeLessThanOrEqual(m.migrationTimeS + 2);
      expect(m.cpuTimeS!).toBeGreaterThan(0);
      expect(m.bandwidthSeries.length).toBeGreaterThan(0);
      // Xen 4.17's xl shows neither passes nor pages: empty cells, not zeros.
      expect(m.iterations).toBeUndefined();
      expect(m.pagesSent).toBeUndefined();
    } finally {
      await backend.close();
    }
    expect(leftovers(process.pid, qemuPids)).toEqual([]);
  });

  it('on SIGINT the CLI tears the testbed down and exits 130', { timeout: 300_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'xen-local-sigint-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli.ts', 'experiment', '--backend', 'xen', '--testbed', 'local', '--figure', '2', '--no-charts', '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // Interrupt once the cloud VMs run and the first migration is being prepared.
      if (stdout.includes('skipping')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(stdout).toContain('booted two cloud VMs');
    rmSync(out, { recursive: true, force: true });
    expect(code).toBe(130);
    expect(leftovers(child.pid!)).toEqual([]);
  });
});
