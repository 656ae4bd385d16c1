/**
 * How the migration stream crosses the link. `ssh`: a real OpenSSH tunnel,
 * sshd in the destination namespace (host key and client key generated per
 * run), `ssh -N -L <unix socket>:127.0.0.1:<port>` in the source namespace.
 * `tcp`: plain TCP straight to the destination QEMU (the `-nocipher`
 * systems: stock OpenSSH has no `none` cipher).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESTINATION_ADDRESS, type Link } from './links.ts';
import { exitAsError, spawnManaged, type ManagedProcess } from './procs.ts';
import { pollUntil } from './wait.ts';

/** Port of the destination QEMU's incoming socket, inside the destination namespace. */
export const INCOMING_PORT = 4444;

export interface Transport {
  kind: 'ssh' | 'tcp';
  /** URI for `migrate-incoming` on the destination QEMU. */
  incomingUri: string;
  /** URI for `migrate` on the source QEMU. */
  migrateUri: string;
  /** sshd and ssh (empty for tcp). */
  processes: ManagedProcess[];
  /** sshd's pid, whose per-connection children also do the work. */
  sshdPid: number | undefined;
}

export function tcpTransport(): Transport {
  const uri = `tcp:${DESTINATION_ADDRESS}:${INCOMING_PORT}`;
  return { kind: 'tcp', incomingUri: uri, migrateUri: uri, processes: [], sshdPid: undefined };
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'pipe' });
}

/** The run's client key, restricted to forwarding the migration port (sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
export function authorizedKey(publicKey: string): string {
  return `restrict,port-forwarding,permitopen="127.0.0.1:${INCOMING_PORT}" ${publicKey.trim()}\n`;
}

export function sshdConfig(dir: string): string {
  return [
    `ListenAddress ${DESTINATION_ADDRESS}:22`,
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The key files sit in a private 0700 directory under /tmp, whose sticky world-writable
    // parent StrictModes would reject.
    'StrictModes no',
    'AllowTcpForwarding local',
    `PermitOpen 127.0.0.1:${INCOMING_PORT}`,
    // The run's key opens the migration stream's forward and nothing else: no shell, no command, no other forward.
    'ForceCommand /bin/false',
    'PermitUserRC no',
    'AllowStreamLocalForwarding no',
    'PermitTunnel no',
    'GatewayPorts no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTTY no',
    'PrintMotd no',
    'LogLevel INFO',
    '',
  ].join('\n');
}

/** Waits until `condition` holds; a TimeoutError after `timeoutMs`, or the process's exit error. */
function waitFor(what: string, condition: () => boolean, timeoutMs: number, failure: Promise<never>): Promise<true> {
  return pollUntil(() => (condition() ? true : undefined), {
    timeoutMs,
    failure,
    timeoutMessage: () => `timed out after ${timeoutMs} ms waiting for ${what}`,
  });
}

/**
 * Starts sshd in the destination namespace and the forwarding ssh client in
 * the source namespace. `dir` is the run's private 0700 directory. Processes
 * are handed to `track` as soon as they exist, so teardown finds them even if
 * this function throws.
 */
export async function openSshTunnel(link: Link, dir: string, track: (proc: ManagedProcess) => void): Promise<Transport> {
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  keygen(hostKey, 'vmbeam-harness-host');
  keygen(clientKey, 'vmbeam-harness-client');
  writeFileSync(join(dir, 'authorized_keys'), authorizedKey(readFileSync(`${clientKey}.pub`, 'utf8')), { mode: 0o600 });
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `${DESTINATION_ADDRESS} ${hostPub}\n`, { mode: 0o600 });
  const configPath = join(dir, 'sshd_config');
  writeFileSync(configPath, sshdConfig(dir), { mode: 0o600 });
  // sshd's privilege-separation chroot; created by the systemd unit on a normal host.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });

  let listening = false;
  const sshd = spawnManaged('sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', configPath], {
    netns: link.names.destinationNs,
    logFile: join(dir, 'sshd.log'),
    onOutput: (text) => {
      if (text.includes('Server listening')) listening = true;
    },
  });
  track(sshd);
  await waitFor('sshd to listen', () => listening, 10_000, exitAsError(sshd));

  const forwardSocket = join(dir, 'forward.sock');
  const ssh = spawnManaged(
    'ssh',
    [
      'ssh', '-N', '-F', '/dev/null',
      '-i', clientKey,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ExitOnForwardFailure=yes',
      '-o', 'StreamLocalBindMask=0177',
      '-o', 'ServerAliveInterval=10',
      '-L', `${forwardSocket}:127.0.0.1:${INCOMING_PORT}`,
      `root@${DESTINATION_ADDRESS}`,
    ],
    { netns: link.names.sourceNs, logFile: join(dir, 'ssh.log') },
  );
  track(ssh);
  await waitFor('the ssh tunnel', () => existsSync(forwardSocket), 15_000, exitAsError(ssh));
  return {
    kind: 'ssh',
    incomingUri: `tcp:127.0.0.1:${INCOMING_PORT}`,
    migrateUri: `unix:${forwardSocket}`,
    processes: [sshd, ssh],
    sshdPid: sshd.pid,
  };
}
