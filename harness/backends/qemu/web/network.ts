/**
 * Fig. 7's network: the guest keeps its IP and MAC when it moves, and its
 * web traffic shares each cloud VM's shaped NIC with the migration stream.
 *
 *   source ns (cloud VM 1)         client ns (cloud Dom0 + client)       destination ns (cloud VM 2)
 *   tap0 ─ br0 10.77.0.1 ─ NIC ═══ src0 ─ br0 10.77.0.3 ─ dst0 ═══ NIC ─ br0 10.77.0.2 ─ tap0
 *   (guest 10.77.0.10)                    httperf                             (guest after the move)
 *
 * Each cloud VM's bridge stands for its guest Dom0's bridge; the client
 * namespace's bridge for the cloud Dom0's. Every veth end is shaped to the
 * system's rate (LINK_PROFILES), so a cloud VM's NIC is limited both ways
 * and the migration stream (source br0 → destination br0) crosses the same
 * shaped NICs as the web replies. After the move QEMU's self-announce
 * (RARP from the guest's MAC) teaches the bridges where the guest now is.
 */
import { execFileSync } from 'node:child_process';
import type { LinkProfile } from '../link-profiles.ts';
import { DESTINATION_ADDRESS, SOURCE_ADDRESS, tbfArgs, type Link, type LinkNames } from '../links.ts';
import type { GuestNic } from './guest.ts';

export const CLIENT_ADDRESS = '10.77.0.3';
export const GUEST_ADDRESS = '10.77.0.10';
const PREFIX = 24;
/** Locally administered (QEMU's 52:54:00 prefix); the same at both ends, as the guest's MAC must be. */
export const GUEST_MAC = '52:54:00:4d:42:0a';

/** Names inside the private namespaces need not be unique on the host. */
export const BRIDGE = 'br0';
export const TAP = 'tap0';
/** The client namespace's ends of the two cloud VMs' NICs. */
export const CLIENT_PORTS = { source: 'src0', destination: 'dst0' } as const;

export interface ServiceNetworkNames extends LinkNames {
  clientNs: string;
}

/** The client namespace is named like the link's, with `c` for its role (links.ts ownerPid reads the pid back). */
export function serviceNetworkNames(names: LinkNames): ServiceNetworkNames {
  if (!names.sourceNs.endsWith('s')) throw new Error(`unexpected source namespace name ${names.sourceNs}`);
  return { ...names, clientNs: `${names.sourceNs.slice(0, -1)}c` };
}

export function guestNic(): GuestNic {
  return { tap: TAP, mac: GUEST_MAC, address: `${GUEST_ADDRESS}/${PREFIX}` };
}

/** Every `ip`/`tc` command that builds the network, in order (pure; the first word is the program). */
export function serviceNetworkCommands(names: ServiceNetworkNames, profile: LinkProfile): string[][] {
  const ip = (...args: string[]): string[] => ['ip', ...args];
  const commands: string[][] = [
    ip('netns', 'add', names.sourceNs),
    ip('netns', 'add', names.destinationNs),
    ip('netns', 'add', names.clientNs),
    ip('-n', names.clientNs, 'link', 'add', BRIDGE, 'type', 'bridge'),
    ip('-n', names.clientNs, 'addr', 'add', `${CLIENT_ADDRESS}/${PREFIX}`, 'dev', BRIDGE),
    ip('-n', names.clientNs, 'link', 'set', 'lo', 'up'),
    ip('-n', names.clientNs, 'link', 'set', BRIDGE, 'up'),
  ];
  const cloudVms = [
    { ns: names.sourceNs, nic: names.sourceVeth, port: CLIENT_PORTS.source, address: SOURCE_ADDRESS },
    { ns: names.destinationNs, nic: names.destinationVeth, port: CLIENT_PORTS.destination, address: DESTINATION_ADDRESS },
  ];
  for (const vm of cloudVms) {
    commands.push(
      ip('link', 'add', vm.nic, 'netns', vm.ns, 'type', 'veth', 'peer', 'name', vm.port, 'netns', names.clientNs),
      ip('-n', names.clientNs, 'link', 'set', vm.port, 'master', BRIDGE),
      ip('-n', names.clientNs, 'link', 'set', vm.port, 'up'),
      ['tc', ...tbfArgs(names.clientNs, vm.port, profile.rateMbitPerS)],
      ip('-n', vm.ns, 'link', 'add', BRIDGE, 'type', 'bridge'),
      // Persistent, so it exists (bridged and up) before QEMU attaches to it by name.
      ip('-n', vm.ns, 'tuntap', 'add', 'dev', TAP, 'mode', 'tap'),
      ip('-n', vm.ns, 'link', 'set', TAP, 'master', BRIDGE),
      ip('-n', vm.ns, 'link', 'set', vm.nic, 'master', BRIDGE),
      ip('-n', vm.ns, 'addr', 'add', `${vm.address}/${PREFIX}`, 'dev', BRIDGE),
      ...['lo', BRIDGE, TAP, vm.nic].map((dev) => ip('-n', vm.ns, 'link', 'set', dev, 'up')),
      ['tc', ...tbfArgs(vm.ns, vm.nic, profile.rateMbitPerS)],
    );
  }
  return commands;
}

/**
 * Builds the network. The caller must have registered the three namespaces
 * with its testbed BEFORE calling, so that a failure half-way is cleaned up
 * by the testbed's one teardown (deleting a namespace removes its bridge,
 * tap, veth ends and qdiscs).
 */
export function createServiceNetwork(names: ServiceNetworkNames, profile: LinkProfile): Link {
  for (const [command, ...args] of serviceNetworkCommands(names, profile)) {
    if (command === undefined) continue;
    try {
      execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new Error(`${command} ${args.join(' ')} failed: ${stderr === '' ? String(error) : stderr}`);
    }
  }
  return { names, profile };
}

/** The bridge port the client namespace has learnt the guest's MAC on, from `bridge fdb show` text (pure). */
export function guestPortFromFdb(fdbText: string, mac: string = GUEST_MAC): string | undefined {
  for (const line of fdbText.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0]?.toLowerCase() !== mac || words[1] !== 'dev') continue;
    if (words.includes('permanent')) continue;
    return words[2];
  }
  return undefined;
}

/** Where the client namespace's bridge currently sends the guest's frames (`src0`, `dst0` or undefined). */
export function readGuestPort(names: ServiceNetworkNames): string | undefined {
  try {
    const text = execFileSync('bridge', ['-n', names.clientNs, 'fdb', 'show', 'br', BRIDGE], {
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    });
    return guestPortFromFdb(text);
  } catch {
    return undefined;
  }
}
