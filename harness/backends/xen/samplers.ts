/**
 * The measurements taken beside `xl migrate`: the source guest Dom0's
 * interface counters and the cloud Dom0's xentop. Each runs as one
 * long-lived ssh command whose output is parsed when it is stopped.
 */
import type { TimedLine } from './lines.ts';
import { parseNetDev, parseNetDevSamples, SAMPLE_MARKER, type CounterSample } from './netdev.ts';
import { check } from './guest.ts';
import type { Remote, RunningCommand } from './remote.ts';
import { parseXentop, type XentopFrame } from './xentop.ts';

/** xentop's `-d`: whole seconds (xentop.c: `delay = atoi(optarg)`). */
export const XENTOP_DELAY_S = 1;

/** One /proc/net/dev snapshot, stamped when it arrived. */
export async function readCounters(remote: Remote, iface: string, timeoutMs: number, signal: AbortSignal): Promise<CounterSample> {
  const result = check(await remote.run(['cat', '/proc/net/dev'], { timeoutMs, signal }));
  const counters = parseNetDev(result.lines.map((line) => line.text).join('\n'), iface);
  if (counters === undefined) {
    throw new Error(`interface '${iface}' is not in /proc/net/dev on ${remote.host} (set "interface" in the testbed file)`);
  }
  return { tMs: result.lines.at(-1)?.tMs ?? performance.now(), ...counters };
}

export interface Sampler<T> {
  /** Stops sampling and returns what was seen. */
  stop(): Promise<T>;
}

/** Samples the counters every `intervalS` in one remote loop (one ssh session, not one per sample). */
export function sampleCounters(remote: Remote, iface: string, intervalS: number, timeoutMs: number, signal: AbortSignal): Sampler<CounterSample[]> {
  const loop = `while :; do echo ${SAMPLE_MARKER}; cat /proc/net/dev; sleep ${intervalS}; done`;
  const running = remote.start(['sh', '-c', loop], { timeoutMs, signal });
  return { stop: async () => parseNetDevSamples((await running.stop()).lines, iface) };
}

export function sampleXentop(remote: Remote, timeoutMs: number, signal: AbortSignal): Sampler<XentopFrame[]> {
  const running: RunningCommand = remote.start(['xentop', '-b', '-d', String(XENTOP_DELAY_S)], { timeoutMs, signal });
  return { stop: async () => parseXentop((await running.stop()).lines) };
}

/** Collects heartbeat arrival times from the guest workload's output. */
export function heartbeatTimes(lines: readonly TimedLine[], prefix: string): number[] {
  return lines.filter((line) => line.stream === 'stdout' && line.text.startsWith(prefix)).map((line) => line.tMs);
}
