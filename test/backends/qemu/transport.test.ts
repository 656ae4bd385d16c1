/** The per-run sshd lets the run's key open the migration stream's forward and nothing else. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINK_PROFILES } from '../../../harness/backends/qemu/link-profiles.ts';
import { createLink, destroyLink, DESTINATION_ADDRESS, linkNames } from '../../../harness/backends/qemu/links.ts';
import { checkPrerequisites } from '../../../harness/backends/qemu/prereq.ts';
import type { ManagedProcess } from '../../../harness/backends/qemu/procs.ts';
import { authorizedKey, INCOMING_PORT, openSshTunnel, sshdConfig } from '../../../harness/backends/qemu/transport.ts';

describe('the per-run sshd', () => {
  it('restricts the run key to forwarding the migration port', () => {
    expect(authorizedKey('ssh-ed25519 AAAA key\n')).toBe(`restrict,port-forwarding,permitopen="127.0.0.1:${INCOMING_PORT}" ssh-ed25519 AAAA key\n`);
    const config = sshdConfig('/run/x').split('\n');
    expect(config).toEqual(expect.arrayContaining(['ForceCommand /bin/false', 'PermitTTY no', `PermitOpen 127.0.0.1:${INCOMING_PORT}`, 'AllowTcpForwarding local']));
  });

  const skipReason = checkPrerequisites();
  describe.skipIf(skipReason !== null)(`on a real link${skipReason === null ? '' : ` (skipped: ${skipReason})`}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'transport-'));
    const names = linkNames(process.pid, 900 + Math.floor(Math.random() * 90));
    const processes: ManagedProcess[] = [];
    afterAll(() => {
      for (const proc of processes) proc.child.kill('SIGKILL');
      destroyLink(names);
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a command or a shell with the run key, while the tunnel is up', { timeout: 60_000 }, async () => {
      const link = createLink(LINK_PROFILES['xen-nest'], names, { shaped: false });
      const transport = await openSshTunnel(link, dir, (proc) => processes.push(proc));
      expect(transport.kind).toBe('ssh');
      const attempt = (command: string) => {
        try {
          const stdout = execFileSync(
            'ip',
            ['netns', 'exec', names.sourceNs, 'ssh', '-F', '/dev/null', '-i', join(dir, 'client_key'), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', `root@${DESTINATION_ADDRESS}`, command],
            { stdio: 'pipe', encoding: 'utf8', timeout: 20_000 },
          );
          return { status: 0, stdout };
        } catch (error) {
          const failed = error as { status: number | null; stdout?: string };
          return { status: failed.status ?? -1, stdout: failed.stdout ?? '' };
        }
      };
      const id = attempt('id');
      expect(id.status).not.toBe(0);
      expect(id.stdout).not.toMatch(/uid=0/);
      expect(attempt(`cat ${join(dir, 'client_key')}`).stdout).toBe('');
      expect(readFileSync(join(dir, 'authorized_keys'), 'utf8')).toMatch(/^restrict,port-forwarding,/);
    });
  });
});
