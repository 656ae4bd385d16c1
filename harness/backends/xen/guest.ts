/**
 * The guest's life on the testbed: where it runs, with how much memory, and
 * getting it back to "running on the source, nowhere else" before each
 * repetition. Commands go through Remote; `parseXlList` is pure.
 */
import { describeFailure, type Remote, type RemoteResult } from './remote.ts';

export interface XlDomain {
  readonly name: string;
  readonly memoryMb: number;
}

// xl list (tools/xl/xl_list.c, 4.2's xl_cmdimpl.c list_domains()):
// "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f" under the header
// "Name                                        ID   Mem VCPUs\tState\tTime(s)".
const XL_LIST_ROW = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+[-rbpsdc]{5,6}\s+[\d.]+/;

export function parseXlList(lines: readonly string[]): XlDomain[] {
  const domains: XlDomain[] = [];
  for (const line of lines) {
    const match = XL_LIST_ROW.exec(line.trim());
    if (match !== null) domains.push({ name: match[1]!, memoryMb: Number(match[3]) });
  }
  return domains;
}

/** xl renames the sender's copy to this before letting the target start it (migrate_domain). */
export function migratedAwayName(name: string): string {
  return `${name}--migratedaway`;
}

/** A guest whose memory is within this of the point's size is reused (balloon and video RAM shave a little). */
const MEMORY_TOLERANCE_MB = 16;

export interface GuestPlan {
  readonly name: string;
  readonly config: string;
  readonly memoryMb: number;
  /** Further `Key=Value` overrides for `xl create` (e.g. the kernel command line). */
  readonly createArgs?: readonly string[];
  /** Create afresh even if a guest of this size already runs (its workload is fixed at boot). */
  readonly fresh?: boolean;
}

export interface GuestHosts {
  readonly source: Remote;
  readonly destination: Remote;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** Throws a one-line error for a failed command. */
export function check(result: RemoteResult): RemoteResult {
  const failure = describeFailure(result);
  if (failure !== undefined) throw new Error(failure);
  return result;
}

export async function listDomains(remote: Remote, hosts: GuestHosts): Promise<XlDomain[]> {
  const result = check(await remote.run(['xl', 'list'], { timeoutMs: hosts.timeoutMs, signal: hosts.signal }));
  return parseXlList(result.lines.filter((line) => line.stream === 'stdout').map((line) => line.text));
}

async function destroy(remote: Remote, name: string, hosts: GuestHosts): Promise<void> {
  check(await remote.run(['xl', 'destroy', name], { timeoutMs: hosts.timeoutMs, signal: hosts.signal }));
}

/**
 * Leaves exactly one copy of the guest, running on the source with the
 * planned memory. Returns whether it had to be (re)created, i.e. booted.
 */
export async function ensureGuest(plan: GuestPlan, hosts: GuestHosts): Promise<{ created: boolean }> {
  const [onSource, onDestination] = await Promise.all([listDomains(hosts.source, hosts), listDomains(hosts.destination, hosts)]);
  // Leftovers of an earlier repetition: the copy a successful migration put
  // on the destination, or the renamed sender copy a failed final handshake
  // leaves behind ("** Migration failed during final handshake **").
  for (const domain of onDestination) {
    if (domain.name === plan.name || domain.name === migratedAwayName(plan.name)) await destroy(hosts.destination, domain.name, hosts);
  }
  for (const domain of onSource) {
    if (domain.name === migratedAwayName(plan.name)) await destroy(hosts.source, domain.name, hosts);
  }
  const current = onSource.find((domain) => domain.name === plan.name);
  if (current !== undefined && plan.fresh !== true && Math.abs(current.memoryMb - plan.memoryMb) <= MEMORY_TOLERANCE_MB) return { created: false };
  if (current !== undefined) await destroy(hosts.source, plan.name, hosts);
  // `memory=<MB>` after the config file overrides its memory setting (xl create [options] <ConfigFile> [Key=Value]...).
  check(
    await hosts.source.run(['xl', 'create', plan.config, `memory=${plan.memoryMb}`, ...(plan.createArgs ?? [])], {
      timeoutMs: hosts.timeoutMs,
      signal: hosts.signal,
    }),
  );
  return { created: true };
}

/** Removes the guest from the destination after a migration, so the source can start the next repetition. */
export async function removeFromDestination(name: string, hosts: GuestHosts): Promise<void> {
  const onDestination = await listDomains(hosts.destination, hosts);
  if (onDestination.some((domain) => domain.name === name)) await destroy(hosts.destination, name, hosts);
}

/** Waits until the guest answers SSH (after boot), polling every second. */
export async function waitForSsh(guest: Remote, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: RemoteResult | undefined;
  while (performance.now() < deadline) {
    signal.throwIfAborted();
    last = await guest.run(['true'], { timeoutMs: Math.min(15_000, Math.max(1_000, deadline - performance.now())), signal });
    if (last.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const why = last === undefined ? '' : ` (${describeFailure(last) ?? 'no answer'})`;
  throw new Error(`the guest did not answer ssh at ${guest.host} within ${Math.round(timeoutMs / 1000)} s of being created${why}`);
}
