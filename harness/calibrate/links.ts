/**
 * The testbed's shaped links, measured: a bulk TCP transfer between the
 * two namespaces over a veth pair shaped by tbf exactly as the qemu
 * backend shapes it (qemu/links.ts createLink). What it gives: the payload
 * rate TCP reaches on each link rate, and how many bytes the source's
 * interface counts (rx + tx, as the engine does) per byte of payload,
 * which depends on how the kernel segments, offloads and acknowledges.
 */
import { LINK_PROFILES, DESTINATION_ADDRESS, createLink, linkNames } from '../backends/qemu/links.ts';
import { exitAsError, spawnManaged } from '../backends/qemu/procs.ts';
import { Testbed } from '../backends/qemu/testbed.ts';

const PORT = 5001;
/**
 * The sender writes in pieces of OpenSSH's packet size: how big the pieces
 * are changes how the kernel batches segments, hence what the interface
 * counts per payload byte at 100 Mbit/s (tbf's 64 KiB bucket splits larger
 * offloaded packets into frames).
 */
const WRITE_BYTES = 32 * 1024;

/** Counts what arrives and closes once the sender has finished. */
const RECEIVER = `
const net = require('net');
const server = net.createServer((socket) => {
  let received = 0;
  socket.on('data', (chunk) => { received += chunk.length; });
  socket.on('end', () => { socket.end(); console.log(JSON.stringify({ received })); server.close(); });
});
server.listen(${PORT}, process.argv[1], () => console.log('listening'));
`;

/** Sends argv[3] bytes to argv[1], reading its interface counters (argv[2]) before and after. */
const SENDER = `
const net = require('net');
const fs = require('fs');
const [address, dev, total] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const count = () => {
  const line = fs.readFileSync('/proc/net/dev', 'utf8').split('\\n').find((l) => l.trim().startsWith(dev + ':'));
  const fields = line.slice(line.indexOf(':') + 1).trim().split(/\\s+/).map(Number);
  return { rx: fields[0], tx: fields[8] };
};
const socket = net.connect(${PORT}, address, () => {
  const before = count();
  const start = process.hrtime.bigint();
  const chunk = Buffer.alloc(Number(process.argv[4]), 0x5a);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { socket.once('drain', pump); return; }
    }
    socket.end();
  };
  socket.on('close', () => {
    const after = count();
    console.log(JSON.stringify({ sent, seconds: Number(process.hrtime.bigint() - start) / 1e9, rx: after.rx - before.rx, tx: after.tx - before.tx }));
  });
  socket.resume();
  pump();
});
`;

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
export async function transferOverLink(rateMbitPerS: number, payloadBytes: number, timeoutMs: number): Promise<LinkTransfer> {
  const testbed = new Testbed();
  let result: LinkTransfer | undefined;
  let failure: unknown;
  try {
    result = await transfer(testbed, rateMbitPerS, payloadBytes, timeoutMs);
  } catch (error) {
    failure = error;
  }
  const problems = await testbed.teardown();
  if (failure !== undefined) throw failure;
  if (problems.length > 0) throw new Error(`link probe done but cleanup failed: ${problems.join('; ')}`);
  return result!;
}

async function transfer(testbed: Testbed, rateMbitPerS: number, payloadBytes: number, timeoutMs: number): Promise<LinkTransfer> {
  const names = linkNames(process.pid, testbed.run);
  testbed.linkNames = names;
  createLink({ ...LINK_PROFILES['xen-nest-nocipher'], rateMbitPerS }, names);
  let receiverOutput = '';
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const receiver = spawnManaged('link probe receiver', [process.execPath, '-e', RECEIVER, DESTINATION_ADDRESS], {
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
    [process.execPath, '-e', SENDER, DESTINATION_ADDRESS, names.sourceVeth, String(payloadBytes), String(WRITE_BYTES)],
    { netns: names.sourceNs, onOutput: (text) => (senderOutput += text) },
  );
  testbed.track(sender);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`link probe at ${rateMbitPerS} Mbit/s timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const status = await Promise.race([sender.exited, timeout]).finally(() => clearTimeout(timer));
  if (status.code !== 0) throw new Error(`link probe sender exited with ${String(status.code ?? status.signal)}: ${sender.outputTail()}`);
  const sent = lastJsonLine<{ sent: number; seconds: number; rx: number; tx: number }>(senderOutput, 'link probe sender');
  if (sent.sent !== payloadBytes) throw new Error(`link probe sent ${sent.sent} of ${payloadBytes} bytes`);
  return { rateMbitPerS, payloadBytes, seconds: sent.seconds, txBytes: sent.tx, rxBytes: sent.rx };
}

/** Every distinct shaped rate of the testbed's link profiles, slowest first. */
export function testbedLinkRates(): number[] {
  return [...new Set(Object.values(LINK_PROFILES).map((profile) => profile.rateMbitPerS))].sort((a, b) => a - b);
}
