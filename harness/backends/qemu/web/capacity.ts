/**
 * The guest web server's capacity, measured before every Fig. 7 run so that
 * the load is chosen from a measurement, never typed in: the highest
 * open-loop rate it serves on time and without error.
 *
 * A ladder of short httperf probes: the first at the rate of sequential
 * requests (one at a time: no queueing, so close to but usually below
 * capacity), then up by STEP while probes pass, or down while they fail.
 * A probe passes when every request got a reply, none failed, and the
 * replies kept pace with the offered rate (httperf's test duration
 * stretches when replies lag behind: a queue is building up).
 */
import { throwIfAborted } from '../errors.ts';
import type { ManagedProcess } from '../procs.ts';
import { pause } from '../wait.ts';
import type { HttperfLoad, HttperfSummary } from './httperf.ts';
import { runHttperf } from './httperf.ts';

export const PROBE_SECONDS = 3;
/** Ratio between successive probe rates: the resolution of the measured capacity. */
export const STEP = 1.15;
/** Replies must arrive at >= 97 % of the offered rate over the probe. */
export const KEEP_PACE = 0.97;
export const MAX_PROBES = 10;
/** Sequential requests for the starting rate. */
export const SEQUENTIAL_CONNECTIONS = 40;
/** Fraction of the capacity the Fig. 7 load offers: near it, with room for the noise of a shared machine. */
export const LOAD_FRACTION = 0.8;

export interface Probe {
  offeredRps: number;
  requests: number;
  replies: number;
  errors: number;
  durationS: number;
  /** replies / test duration */
  replyRps: number;
  passed: boolean;
}

export function judgeProbe(offeredRps: number, summary: HttperfSummary): Probe {
  const replyRps = summary.durationS > 0 ? summary.replies / summary.durationS : 0;
  const passed =
    summary.errors.total === 0 &&
    summary.replies === summary.connections &&
    summary.status['2xx'] === summary.replies &&
    replyRps >= KEEP_PACE * offeredRps;
  return {
    offeredRps,
    requests: summary.requests,
    replies: summary.replies,
    errors: summary.errors.total,
    durationS: summary.durationS,
    replyRps,
    passed,
  };
}

export type LadderStep = { action: 'probe'; rateRps: number } | { action: 'done'; capacityRps: number };

/**
 * Next probe rate, or the capacity once a passing and a failing probe
 * bracket it (pure). Throws one line when the ladder cannot finish.
 */
export function nextLadderStep(startRps: number, probes: readonly Probe[]): LadderStep {
  if (!(startRps > 0)) throw new Error(`the guest web server answered no sequential request (rate ${startRps}/s)`);
  const last = probes.at(-1);
  if (last === undefined) return { action: 'probe', rateRps: roundRate(startRps) };
  const passed = probes.filter((probe) => probe.passed);
  const best = passed.reduce<Probe | undefined>((a, b) => (a === undefined || b.offeredRps > a.offeredRps ? b : a), undefined);
  const anyFailed = probes.some((probe) => !probe.passed);
  if (best !== undefined && anyFailed) return { action: 'done', capacityRps: best.replyRps };
  if (probes.length >= MAX_PROBES) {
    throw new Error(
      `no web capacity after ${probes.length} probes (${probes.map((p) => `${p.offeredRps}/s ${p.passed ? 'ok' : 'failed'}`).join(', ')})`,
    );
  }
  const next = roundRate(last.passed ? last.offeredRps * STEP : last.offeredRps / STEP);
  if (next < 1) throw new Error(`the guest web server cannot serve even 1 request/s on time (last probe: ${describeProbe(last)})`);
  return { action: 'probe', rateRps: next === last.offeredRps ? next + (last.passed ? 1 : -1) : next };
}

/** httperf takes a decimal rate; one decimal keeps the numbers readable. */
function roundRate(rate: number): number {
  return Math.round(rate * 10) / 10;
}

export function describeProbe(probe: Probe): string {
  return `${probe.offeredRps}/s offered, ${probe.replies}/${probe.requests} replies in ${probe.durationS.toFixed(2)} s, ${probe.errors} errors`;
}

/** The load for the Fig. 7 run (pure): LOAD_FRACTION of the capacity, one decimal. */
export function loadRate(capacityRps: number): number {
  const rate = roundRate(capacityRps * LOAD_FRACTION);
  if (!(rate >= 1)) throw new Error(`web capacity ${capacityRps.toFixed(1)}/s is too low for a load`);
  return rate;
}

export interface CapacityMeasurement {
  capacityRps: number;
  sequentialRps: number;
  probes: Probe[];
}

type Target = Pick<HttperfLoad, 'server' | 'port' | 'uri' | 'timeoutS'>;

/** Single requests, one second apart at most, until one is answered within a second. */
export const WARM_UP_ATTEMPTS = 30;

/**
 * Waits until the guest answers. httpd listens before the guest prints its
 * ready line, but the e1000 link comes up about 2 s after `ip link set
 * up`, and a request sent before that waits for a SYN retransmission: it
 * would spoil the sequential measurement.
 */
export async function waitForWebServer(target: Target, netns: string, track: (proc: ManagedProcess) => void, signal?: AbortSignal): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= WARM_UP_ATTEMPTS; attempt++) {
    throwIfAborted(signal, 'aborted while waiting for the guest web server');
    const started = performance.now();
    const { summary } = await runHttperf({ ...target, timeoutS: 1, ratePerS: 0, connections: 1, perCall: false }, netns, track, signal);
    if (summary.replies === 1 && summary.status['2xx'] === 1) return;
    last = `${summary.errors.total} errors (client-timo ${summary.errors.clientTimeouts}, connrefused ${summary.errors.connectionsRefused})`;
    const spent = performance.now() - started;
    await pause(1000 - spent, { signal, abortMessage: 'aborted while waiting for the guest web server' });
  }
  throw new Error(`the guest web server at ${target.server}:${target.port} did not answer within ${WARM_UP_ATTEMPTS} attempts (last: ${last})`);
}

/** Waits for the server, then runs the sequential measurement and the ladder from the client namespace. */
export async function measureCapacity(
  target: Target,
  netns: string,
  track: (proc: ManagedProcess) => void,
  signal?: AbortSignal,
): Promise<CapacityMeasurement> {
  await waitForWebServer(target, netns, track, signal);
  const sequential = await runHttperf(
    { ...target, ratePerS: 0, connections: SEQUENTIAL_CONNECTIONS, perCall: false },
    netns,
    track,
    signal,
  );
  const { summary } = sequential;
  if (summary.errors.total > 0 || summary.replies < summary.connections) {
    throw new Error(`the guest web server failed sequential requests: ${summary.replies}/${summary.connections} replies, ${summary.errors.total} errors`);
  }
  const sequentialRps = summary.durationS > 0 ? summary.replies / summary.durationS : 0;
  const probes: Probe[] = [];
  for (;;) {
    throwIfAborted(signal, 'aborted while measuring the web capacity');
    const step = nextLadderStep(sequentialRps, probes);
    if (step.action === 'done') return { capacityRps: step.capacityRps, sequentialRps, probes };
    const run = await runHttperf(
      { ...target, ratePerS: step.rateRps, connections: Math.max(1, Math.round(step.rateRps * PROBE_SECONDS)), perCall: false },
      netns,
      track,
      signal,
    );
    probes.push(judgeProbe(step.rateRps, run.summary));
  }
}
