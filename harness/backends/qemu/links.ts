/**
 * The network namespaces, veth pair and tc shaping that realise a link
 * profile (link-profiles.ts) on this machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseNetDev } from '../../linux/net-dev.ts';
import { TBF_LATENCY_MS, tbfBurstBytes, type LinkProfile } from './link-profiles.ts';

/** Addresses live only inside the two private namespaces, so every run can use the same ones. */
export const SOURCE_ADDRESS = '10.77.0.1';
export const DESTINATION_ADDRESS = '10.77.0.2';
const PREFIX = 30;

export interface LinkNames {
  sourceNs: string;
  destinationNs: string;
  sourceVeth: string;
  destinationVeth: string;
}

/** Namespace and interface names carry the harness pid, so parallel runs and leftovers never clash. */
export function linkNames(pid: number, run: number): LinkNames {
  const id = `${pid}r${run % 1000}`;
  return {
    sourceNs: `vmb${id}s`,
    destinationNs: `vmb${id}d`,
    sourceVeth: `vb${id}s`, // at most 2 + 7 + 4 + 1 = 14 characters (IFNAMSIZ - 1 = 15)
    destinationVeth: `vb${id}d`,
  };
}

/** s/d: the two cloud VMs; c: Fig. 7's client (web/network.ts). */
const NAME_PATTERN = /^vmb(\d+)r\d+[sdc]$/;

/** The pid of the harness that created a namespace, or undefined when it is not ours. */
export function ownerPid(netnsName: string): number | undefined {
  const match = NAME_PATTERN.exec(netnsName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** tc arguments shaping egress of `dev` to `rateMbitPerS` with a token bucket. */
export function tbfArgs(netns: string, dev: string, rateMbitPerS: number): string[] {
  const burst = tbfBurstBytes(rateMbitPerS);
  return ['-n', netns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${rateMbitPerS}mbit`, 'burst', String(burst), 'latency', `${TBF_LATENCY_MS}ms`];
}

function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    const what = input === undefined ? args.join(' ') : `${args.join(' ')} <<< ${input.trim().replaceAll('\n', '; ')}`;
    throw new Error(`${command} ${what} failed: ${stderr === '' ? String(error) : stderr}`);
  }
}

/**
 * The `ip` commands that build a link, as batches (one `ip -batch -` process
 * each, instead of one process per command: setup is not measured, but it
 * is paid once per migration). `netns` undefined = the host's namespace.
 */
export function linkBatches(names: LinkNames): { netns: string | undefined; commands: string[] }[] {
  const inside = (ns: string, dev: string, address: string) => ({
    netns: ns,
    commands: [`addr add ${address}/${PREFIX} dev ${dev}`, 'link set lo up', `link set ${dev} up`],
  });
  return [
    {
      netns: undefined,
      commands: [
        `netns add ${names.sourceNs}`,
        `netns add ${names.destinationNs}`,
        `link add ${names.sourceVeth} netns ${names.sourceNs} type veth peer name ${names.destinationVeth} netns ${names.destinationNs}`,
      ],
    },
    inside(names.sourceNs, names.sourceVeth, SOURCE_ADDRESS),
    inside(names.destinationNs, names.destinationVeth, DESTINATION_ADDRESS),
  ];
}

export interface Link {
  names: LinkNames;
  profile: LinkProfile;
}

/**
 * Creates both namespaces, the veth pair between them, addresses, loopback,
 * and tbf shaping on both ends (unless `shaped` is false: calibration). On
 * failure, removes what it created and throws.
 */
export function createLink(profile: LinkProfile, names: LinkNames, options: { shaped: boolean } = { shaped: true }): Link {
  try {
    for (const batch of linkBatches(names)) {
      run('ip', [...(batch.netns === undefined ? [] : ['-n', batch.netns]), '-batch', '-'], `${batch.commands.join('\n')}\n`);
    }
    if (options.shaped) {
      run('tc', tbfArgs(names.sourceNs, names.sourceVeth, profile.rateMbitPerS));
      run('tc', tbfArgs(names.destinationNs, names.destinationVeth, profile.rateMbitPerS));
    }
  } catch (error) {
    destroyLink(names);
    throw error;
  }
  return { names, profile };
}

/**
 * Bytes that crossed the link so far (rx + tx of the source veth), read from
 * /proc/<pid>/net/dev of any process living in the source namespace: one
 * cheap file read, no exec.
 */
export function readLinkBytes(link: Link, pidInSourceNs: number): number | undefined {
  try {
    const counters = parseNetDev(readFileSync(`/proc/${pidInSourceNs}/net/dev`, 'utf8'), link.names.sourceVeth);
    return counters === undefined ? undefined : counters.rxBytes + counters.txBytes;
  } catch {
    return undefined;
  }
}

/** Pids of processes inside a namespace (empty if it does not exist). */
export function namespacePids(netns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', netns], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' })
      .split(/\s+/)
      .filter((word) => word !== '')
      .map(Number);
  } catch {
    return [];
  }
}

export function listNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name !== '');
  } catch {
    return [];
  }
}

/**
 * Kills every process left in the namespaces and deletes them; deleting a
 * namespace destroys its veth end (and so the pair) and the qdiscs with it.
 * Synchronous and idempotent, so a signal handler can call it too.
 */
export function destroyLink(names: LinkNames): string[] {
  return destroyNamespaces([names.sourceNs, names.destinationNs]);
}

/** Kills the processes in each namespace, then deletes it; missing ones are skipped. */
export function destroyNamespaces(namespaces: readonly string[]): string[] {
  const problems: string[] = [];
  for (const ns of namespaces) {
    for (const pid of namespacePids(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const existing = new Set(listNamespaces());
  for (const ns of namespaces) {
    if (!existing.has(ns)) continue;
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      problems.push(`ip netns del ${ns}: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
    }
  }
  return problems;
}
