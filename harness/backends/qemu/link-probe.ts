/**
 * What the link to the destination carries, measured the way a migration
 * would cross it: a short bulk transfer through the testbed's transport
 * (the SSH tunnel of pre-copy) into a sink where the destination QEMU will
 * listen, timed at the sink. `auto` runs it before it chooses (auto.ts).
 *
 * Measured rather than read from the link profile, because a real `auto`
 * knows nothing of how a link was shaped, and what reaches the far end
 * through SSH is below the line rate (framing, the cipher, TCP). Measured
 * before the migration rather than taken from QEMU's own `mbps`, because
 * `auto` must choose before it starts one.
 */
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAGE_BYTES } from '../../units.ts';
import { TimeoutError } from './errors.ts';
import { exitAsError, spawnManaged } from './procs.ts';
import type { Testbed } from './testbed.ts';
import { INCOMING_PORT, type Transport } from './transport.ts';
import { pollUntil } from './wait.ts';

export const SINK_PROGRAM = join(dirname(fileURLToPath(import.meta.url)), 'probe', 'sink.mjs');

/** How long the sender writes: some 25 MB at 100 Mbit/s, a tenth of a CI-scale pass. */
export const PROBE_SEND_MS = 2000;
/** The first arrivals are left out: TCP's slow start and the tunnel's window filling up. */
export const PROBE_WARM_UP_MS = 300;
const WRITE_BYTES = 64 * 1024;

/** [ms since the first arrival, bytes arrived by then], as the sink prints them. */
export type Arrival = readonly [number, number];

/**
 * Payload bytes per second from the warm-up's end to the last arrival: the
 * link was busy all along, since the sender kept the tunnel's buffers full
 * until it closed. Pure; undefined when too little arrived after the warm-up.
 */
export function arrivalRateBytesPerS(arrivals: readonly Arrival[], warmUpMs = PROBE_WARM_UP_MS): number | undefined {
  const from = arrivals.find(([tMs]) => tMs >= warmUpMs);
  const to = arrivals.at(-1);
  if (from === undefined || to === undefined || !(to[0] > from[0])) return undefined;
  return ((to[1] - from[1]) * 1000) / (to[0] - from[0]);
}

export interface LinkProbe {
  readonly payloadBytesPerS: number;
  /** Guest pages per second (QEMU adds 8 bytes of header to each 4 KiB page; left out). */
  readonly pagesPerS: number;
  readonly bytes: number;
}

/**
 * Sends for PROBE_SEND_MS through `transport` into a sink listening on the
 * destination's incoming port in `destinationNs` (it must be free: run this
 * before `migrate-incoming`). The sink is the testbed's, so teardown
 * removes it whatever happens.
 */
export async function probeLink(testbed: Testbed, transport: Transport, destinationNs: string, signal?: AbortSignal): Promise<LinkProbe> {
  if (!transport.migrateUri.startsWith('unix:')) throw new Error(`the link probe needs the SSH tunnel's socket, not ${transport.migrateUri}`);
  let output = '';
  const sink = spawnManaged('link probe sink', [process.execPath, SINK_PROGRAM, String(INCOMING_PORT)], {
    netns: destinationNs,
    onOutput: (text) => (output += text),
  });
  testbed.track(sink);
  const sinkFailed = exitAsError(sink);
  sinkFailed.catch(() => undefined);
  const failure = { signal, failure: sinkFailed, abortMessage: 'aborted while probing the link' };
  await pollUntil(() => (output.includes('listening') ? true : undefined), {
    ...failure,
    timeoutMs: 10_000,
    timeoutMessage: () => 'the link probe sink did not listen within 10 s',
  });
  await send(transport.migrateUri.slice('unix:'.length), PROBE_SEND_MS);
  await pollUntil(() => (sink.hasExited() ? true : undefined), {
    signal,
    abortMessage: failure.abortMessage,
    timeoutMs: 20_000,
    timeoutMessage: () => 'the link probe sink did not finish within 20 s of the sender',
  });
  const status = await sink.exited;
  if (status.code !== 0) throw new Error(`the link probe sink exited with ${String(status.code ?? status.signal)}: ${sink.outputTail()}`);
  const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
  if (line === undefined) throw new Error(`the link probe sink printed no result: ${output.trim().slice(-200)}`);
  const { arrivals } = JSON.parse(line) as { arrivals: Arrival[] };
  const rate = arrivalRateBytesPerS(arrivals);
  if (rate === undefined) throw new Error(`the link probe got too little through to time it (${arrivals.length} arrivals)`);
  return { payloadBytesPerS: rate, pagesPerS: rate / PAGE_BYTES, bytes: arrivals.at(-1)?.[1] ?? 0 };
}

/** Writes zeros into the socket at `path` as fast as it takes them for `ms`, then closes it. */
function send(path: string, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect(path);
    const chunk = Buffer.alloc(WRITE_BYTES);
    const timer = setTimeout(() => reject(new TimeoutError(`the link probe could not send for ${ms} ms`)), ms + 15_000);
    let until = 0;
    const pump = (): void => {
      while (performance.now() < until) {
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    socket.once('connect', () => {
      until = performance.now() + ms;
      pump();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`link probe: ${error.message}`));
    });
  });
}
