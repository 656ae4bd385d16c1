/**
 * The testbed's shaped links, measured: a bulk TCP transfer between the
 * two namespaces over a veth pair shaped by tbf exactly as the qemu
 * backend shapes it (qemu/links.ts createLink). What it gives: the payload
 * rate TCP reaches on each link rate, and how many bytes the source's
 * interface counts (rx + tx, as the engine does) per byte of payload,
 * which depends on how the kernel segments, offloads and acknowledges.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from '../backends/qemu/errors.ts';
import { LINK_PROFILES } from '../backends/qemu/link-profiles.ts';
import { DESTINATION_ADDRESS, createLink, linkNames } from '../backends/qemu/links.ts';
import { exitAsError, spawnManaged } from '../backends/qemu/procs.ts';
import { onFreshTestbed, type Testbed } from '../backends/qemu/testbed.ts';
import { parseNetDev, type InterfaceCounters } from '../linux/net-dev.ts';

const PORT = 5001;
/**
 * The sender writes in pieces of OpenSSH's packet size: how big the pieces
 * are changes how the kernel batches segments, hence what the interface
 * counts per payload byte at 100 Mbit/s (tbf's 64 KiB bucket splits larger
 * offloaded packets into frames).
 */
const WRITE_BYTES = 32 * 1024;

/** The two ends of the probe, plain Node programs run inside the namespaces. */
const PROBE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'link-probe');
export const RECEIVER_PROGRAM = join(PROBE_DIR, 'receiver.mjs');
export const SENDER_PROGRAM = join(PROBE_DIR, 'sender.mjs');

/** What the sender prints: bytes sent, seconds from connect to close, and its namespace's /proc/net/dev around them. */
interface SenderReport {
  readonly sent: number;
  readonly seconds: number;
  readonly before: string;
  readonly after: string;
}

export interface LinkTransfer {
  readonly rateMbitPerS: number;
  readonly payloadBytes: number;
  readonly seconds: number;
  /** Bytes the source's interface counted, each direction. */
  readonly txBytes: number;
  readonly rxBytes: number;
}

function lastJsonLine<T>(output: string, what: string): T {
  const line = output.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{'));
  if (line === undefined) throw new Error(`${what} printed no result: ${output.trim().split('\n').slice(-2).join(' | ')}`);
  return JSON.parse(line) as T;
}

/**
 * One transfer of `payloadBytes` over a fresh link shaped at `rateMbitPerS`;
 * the testbed (namespaces, veth, processes) is always removed.
 */
export function transferOverLink(rateMbitPerS: number, payloadBytes: number, timeoutMs: number): Promise<LinkTransfer> {
  return onFreshTestbed('link probe', (testbed) => transfer(testbed, rateMbitPerS, payloadBytes, timeoutMs));
}

async function transfer(testbed: Testbed, rateMbitPerS: number, payloadBytes: number, timeoutMs: number): Promise<LinkTransfer> {
  const names = linkNames(process.pid, testbed.run);
  testbed.linkNames = names;
  createLink({ ...LINK_PROFILES['xen-nest-nocipher'], rateMbitPerS }, names);
  let receiverOutput = '';
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const receiver = spawnManaged('link probe receiver', [process.execPath, RECEIVER_PROGRAM, DESTINATION_ADDRESS, String(PORT)], {
    netns: names.destinationNs,
    onOutput: (text) => {
      receiverOutput += text;
      if (receiverOutput.includes('listening')) listening();
    },
  });
  testbed.track(receiver);
  await Promise.race([ready, exitAsError(receiver)]);
  let senderOutput = '';
  const sender = spawnManaged(
    'link probe sender',
    [process.execPath, SENDER_PROGRAM, DESTINATION_ADDRESS, String(PORT), String(payloadBytes), String(WRITE_BYTES)],
    { netns: names.sourceNs, onOutput: (text) => (senderOutput += text) },
  );
  testbed.track(sender);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`link probe at ${rateMbitPerS} Mbit/s timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const status = await Promise.race([sender.exited, timeout]).finally(() => clearTimeout(timer));
  if (status.code !== 0) throw new Error(`link probe sender exited with ${String(status.code ?? status.signal)}: ${sender.outputTail()}`);
  const sent = lastJsonLine<SenderReport>(senderOutput, 'link probe sender');
  if (sent.sent !== payloadBytes) throw new Error(`link probe sent ${sent.sent} of ${payloadBytes} bytes`);
  const before = counters(sent.before, names.sourceVeth);
  const after = counters(sent.after, names.sourceVeth);
  return { rateMbitPerS, payloadBytes, seconds: sent.seconds, txBytes: after.txBytes - before.txBytes, rxBytes: after.rxBytes - before.rxBytes };
}

function counters(netDev: string, iface: string): InterfaceCounters {
  const found = parseNetDev(netDev, iface);
  if (found === undefined) throw new Error(`link probe sender's /proc/net/dev has no ${iface}`);
  return found;
}

/** Every distinct shaped rate of the testbed's link profiles, slowest first. */
export function testbedLinkRates(): number[] {
  return [...new Set(Object.values(LINK_PROFILES).map((profile) => profile.rateMbitPerS))].sort((a, b) => a - b);
}
