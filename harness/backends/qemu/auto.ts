/**
 * `auto` on the testbed: before it migrates, it finds out where the
 * destination is and how hard the migration would be, and lets
 * chooseScheme (harness/choose-scheme.ts) decide.
 *
 * - Same host: the kernel's boot id, read from where each QEMU runs (its
 *   network namespace, and for the destination its mount namespace too).
 * - Shared memory reachable: the source's guest-RAM file opened from where
 *   the destination QEMU runs, and found to be the same file (device and
 *   inode) as the source's: a file of that name on another host would not be.
 * - The link's page rate: a short probe through the transport (link-probe.ts).
 * - The guest's dirty rate: what the guest reports it wrote in its last
 *   second (guest-writes.ts), as a guest agent would tell. Not QEMU's
 *   calc-dirty-rate, though it exists in 7.2: its dirty-bitmap mode kills
 *   QEMU 7.2 under TCG (SIGSEGV, seen on this testbed), and its
 *   page-sampling mode estimates from a few hundred sampled pages in whole
 *   MiB/s: a guest writing 2,000 pages/s read 5 to 7 MiB/s (1,280 to 1,792
 *   pages/s) over five 2 s runs, on both sides of the rule's threshold
 *   (half the link's ~2,900 pages/s). With the guest's own count the same
 *   guest is judged the same way every time. For writes spread over a
 *   region much larger than a second's worth, as here, pages written and
 *   pages dirtied are nearly the same.
 */
import { chooseScheme } from '../../choose-scheme.ts';
import type { ControlPort } from './control-port.ts';
import { recentWritesRate } from './guest-writes.ts';
import { parseDirtyingLine } from './image.ts';
import { probeLink } from './link-probe.ts';
import { spawnManaged } from './procs.ts';
import type { Testbed } from './testbed.ts';
import type { Transport } from './transport.ts';
import type { AutoDecision } from './types.ts';
import { pollUntil } from './wait.ts';

/** Where one side's processes run: its network namespace, and whether /dev/shm is hidden there. */
export interface SideContext {
  readonly netns: string;
  readonly hideSharedMemory: boolean;
}

/** What one side sees: the kernel's boot id and the identity of the guest-RAM file, if it can open it. */
export interface SideView {
  readonly bootId: string;
  /** "<device>:<inode>" of the file, or undefined when it cannot be opened. */
  readonly memoryFile: string | undefined;
}

/** Prints the boot id, then the file's identity or "unreachable": one process, so both come from one place. */
const VIEW_SCRIPT =
  'cat /proc/sys/kernel/random/boot_id && if head -c 1 -- "$1" > /dev/null 2>&1; then stat -L -c %d:%i -- "$1"; else echo unreachable; fi';

/** Parses VIEW_SCRIPT's output. Pure. */
export function parseSideView(output: string): SideView {
  const [bootId, memory] = output.trim().split('\n').map((line) => line.trim());
  if (bootId === undefined || !/^[0-9a-f-]{36}$/.test(bootId)) throw new Error(`no kernel boot id in: ${output.trim().slice(0, 120)}`);
  if (memory === undefined || (memory !== 'unreachable' && !/^\d+:\d+$/.test(memory))) {
    throw new Error(`no answer about the guest's memory file in: ${output.trim().slice(0, 120)}`);
  }
  return { bootId, memoryFile: memory === 'unreachable' ? undefined : memory };
}

/** Runs VIEW_SCRIPT where a side's QEMU runs (or will run). */
export async function viewFrom(testbed: Testbed, context: SideContext, memoryPath: string, signal?: AbortSignal): Promise<SideView> {
  let output = '';
  const probe = spawnManaged('whereabouts probe', ['sh', '-c', VIEW_SCRIPT, 'sh', memoryPath], {
    netns: context.netns,
    hideSharedMemory: context.hideSharedMemory,
    onOutput: (text) => (output += text),
  });
  testbed.track(probe);
  await pollUntil(() => (probe.hasExited() ? true : undefined), {
    signal,
    abortMessage: 'aborted while probing where the destination is',
    timeoutMs: 10_000,
    timeoutMessage: () => 'the whereabouts probe did not finish within 10 s',
  });
  const status = await probe.exited;
  if (status.code !== 0) throw new Error(`the whereabouts probe exited with ${String(status.code ?? status.signal)}: ${probe.outputTail()}`);
  return parseSideView(output);
}

/** How long a stretch of the guest's write reports its dirty rate is taken over. */
export const DIRTY_RATE_SPAN_MS = 1000;

/**
 * The guest's write rate over its last DIRTY_RATE_SPAN_MS of reports,
 * waiting until they span that long; 0 when the workload said it idles
 * (it reports nothing then).
 */
export async function measureDirtyRate(port: ControlPort, dirtyingLine: string, signal?: AbortSignal): Promise<number> {
  const dirtying = parseDirtyingLine(dirtyingLine);
  if (dirtying === undefined) throw new Error(`not the workload's acknowledgement: ${dirtyingLine}`);
  if (dirtying.dirtyMb <= 0 || dirtying.rate <= 0) return 0;
  return pollUntil(() => recentWritesRate(port.samples, DIRTY_RATE_SPAN_MS), {
    signal,
    abortMessage: 'aborted while measuring the dirty rate',
    failure: port.failed,
    intervalMs: 50,
    timeoutMs: DIRTY_RATE_SPAN_MS + 10_000,
    timeoutMessage: () => `the guest did not report its writes for ${DIRTY_RATE_SPAN_MS} ms within ${DIRTY_RATE_SPAN_MS / 1000 + 10} s`,
  });
}

export interface AutoProbeInput {
  readonly testbed: Testbed;
  readonly source: { readonly port: ControlPort; readonly dirtyingLine: string; readonly context: SideContext };
  readonly destination: SideContext;
  /** The source's guest-RAM file. */
  readonly memoryPath: string;
  /** The pre-copy transport, not yet used by any migration (its destination port must be free). */
  readonly transport: Transport;
  readonly signal?: AbortSignal | undefined;
}

/** Finds the facts and chooses; the measurement records the choice and the facts behind it. */
export async function decideScheme(input: AutoProbeInput): Promise<AutoDecision> {
  const { testbed, signal } = input;
  const sourceView = await viewFrom(testbed, input.source.context, input.memoryPath, signal);
  if (sourceView.memoryFile === undefined) throw new Error(`the source side cannot open its own guest-RAM file ${input.memoryPath}`);
  const destinationView = await viewFrom(testbed, input.destination, input.memoryPath, signal);
  // Before the link probe: ssh busy on both cores could slow the guest it measures.
  const dirtyPagesPerS = await measureDirtyRate(input.source.port, input.source.dirtyingLine, signal);
  const link = await probeLink(testbed, input.transport, input.destination.netns, signal);
  const sameHost = sourceView.bootId === destinationView.bootId;
  const sharedMemoryReachable = sourceView.memoryFile === destinationView.memoryFile;
  const choice = chooseScheme({ sameHost, sharedMemoryReachable, linkPagesPerS: link.pagesPerS, dirtyPagesPerS });
  return {
    system: choice.system,
    reason: choice.reason,
    sourceBootId: sourceView.bootId,
    destinationBootId: destinationView.bootId,
    sharedMemoryReachable,
    linkPagesPerS: link.pagesPerS,
    dirtyPagesPerS,
  };
}
