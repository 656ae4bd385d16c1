/**
 * httperf (Debian's 0.9.0) as the Fig. 7 client: its command line and the
 * parser of what it prints (both pure), and a runner that time-stamps its
 * per-call lines as they arrive.
 *
 * Why per-call lines: `--verbose` prints a `reply-rate = X` sample only
 * every 5 s (a compiled-in interval), too coarse for a migration whose
 * switch-over lasts a fraction of a second. With `--print-request=body`
 * httperf prints `SS<id>: ...` when it has sent call <id>, and with
 * `--print-reply=body` `RS<id>: ...` when the reply is complete; run
 * line-buffered (stdbuf -oL), each line reaches the harness within
 * milliseconds, so the harness bins replies per second itself and knows
 * when every failed call was sent. The 5 s samples are parsed too and kept
 * beside the summary.
 */
import { AbortedError, throwIfAborted } from '../errors.ts';
import type { ManagedProcess } from '../procs.ts';
import { spawnManaged } from '../procs.ts';

export interface HttperfLoad {
  server: string;
  port: number;
  uri: string;
  /** Connections (one request each) per second; 0 = sequential (a new one when the previous one is done). */
  ratePerS: number;
  /** Total connections; httperf stops by itself after the last one, so every run is bounded. */
  connections: number;
  /** Seconds a call may wait for the server before httperf counts it as failed (client-timo). */
  timeoutS: number;
  /** Print SS/RS lines per call (see the module comment). */
  perCall: boolean;
}

export function validateLoad(load: HttperfLoad): void {
  if (!(load.ratePerS >= 0) || !Number.isFinite(load.ratePerS)) throw new Error(`httperf rate must be >= 0 (got ${load.ratePerS})`);
  if (!Number.isInteger(load.connections) || load.connections < 1) {
    throw new Error(`httperf needs a whole number of connections >= 1 (got ${load.connections})`);
  }
  if (!(load.timeoutS > 0)) throw new Error(`httperf timeout must be > 0 s (got ${load.timeoutS})`);
}

/**
 * httperf polls and keeps one core busy whatever the rate. The client stands
 * for another machine, so it runs niced: when the guest, the QEMUs and the
 * migration want both cores, it yields most of its share. Not nice 19: with
 * a weight of 15 against 1024 it starved (and offered less than its rate)
 * whenever the host had more than two busy threads; at nice 10 its share
 * still covers the little real work it does per request.
 */
export const CLIENT_NICE = 10;

export function httperfArgv(load: HttperfLoad): string[] {
  validateLoad(load);
  const argv = ['nice', '-n', String(CLIENT_NICE), 'stdbuf', '-oL', 'httperf'];
  argv.push('--server', load.server, '--port', String(load.port), '--uri', load.uri);
  if (load.ratePerS > 0) argv.push('--rate', String(load.ratePerS));
  argv.push('--num-conns', String(load.connections), '--num-calls', '1', '--timeout', String(load.timeoutS));
  if (load.perCall) argv.push('--verbose', '--print-request=body', '--print-reply=body');
  return argv;
}

export type HttperfLine =
  | { kind: 'sent'; id: number }
  | { kind: 'replied'; id: number }
  /** A reply body line (RB) or request body line (SB): content, not counted. */
  | { kind: 'body' }
  | { kind: 'other'; text: string };

const CALL_LINE = /^(SS|RS|RB|SB|SH|RH)(\d+):/;

export function classifyLine(line: string): HttperfLine {
  const match = CALL_LINE.exec(line);
  if (match === null) return { kind: 'other', text: line };
  const id = Number(match[2]);
  if (match[1] === 'SS') return { kind: 'sent', id };
  if (match[1] === 'RS') return { kind: 'replied', id };
  return { kind: 'body' };
}

export interface ReplyRateStats {
  min: number;
  avg: number;
  max: number;
  stddev: number;
  samples: number;
}

export interface HttperfErrors {
  total: number;
  clientTimeouts: number;
  socketTimeouts: number;
  connectionsRefused: number;
  connectionsReset: number;
  fdUnavailable: number;
  addressUnavailable: number;
  ftabFull: number;
  other: number;
}

export interface HttperfSummary {
  connections: number;
  requests: number;
  replies: number;
  durationS: number;
  requestRatePerS: number;
  replyRate: ReplyRateStats;
  /** `reply-rate = X` lines of --verbose, one per 5 s. */
  replyRateSamples: number[];
  /** Replies by status class: 1xx ... 5xx. */
  status: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
  errors: HttperfErrors;
}

function numbersAfter(text: string, label: string, keys: readonly string[]): Map<string, number> | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(label));
  if (line === undefined) return undefined;
  const values = new Map<string, number>();
  for (const key of keys) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`(?:^|\\s)${escaped}[ =](-?[\\d.]+)`).exec(line);
    if (match?.[1] !== undefined) values.set(key, Number(match[1]));
  }
  return values;
}

/**
 * Parses httperf's closing summary (lines of other kinds, e.g. SS/RS, may be
 * interleaved and are ignored). Throws one line naming what is missing when
 * the text is not a complete httperf summary (httperf killed, or not run).
 */
export function parseHttperfSummary(text: string): HttperfSummary {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const other = lines.filter((line) => classifyLine(line).kind === 'other').join('\n');
  const need = (label: string, keys: readonly string[]): Map<string, number> => {
    const values = numbersAfter(other, label, keys);
    const missing = keys.filter((key) => !Number.isFinite(values?.get(key)));
    if (values === undefined || missing.length > 0) {
      const last = lines.filter((line) => line.trim() !== '').at(-1) ?? '(no output)';
      throw new Error(`httperf output has no complete '${label.trim()}' line (missing ${missing.join(', ')}; last line: ${last.slice(0, 120)})`);
    }
    return values;
  };
  const get = (values: Map<string, number>, key: string): number => values.get(key) ?? Number.NaN;

  const total = need('Total:', ['connections', 'requests', 'replies', 'test-duration']);
  const requestRate = /^Request rate: ([\d.]+) req\/s/m.exec(other);
  if (requestRate?.[1] === undefined) throw new Error("httperf output has no 'Request rate' line");
  const reply = need('Reply rate [replies/s]:', ['min', 'avg', 'max', 'stddev']);
  const samples = /^Reply rate \[replies\/s\]:.*\((\d+) samples?\)/m.exec(other);
  const status = need('Reply status:', ['1xx', '2xx', '3xx', '4xx', '5xx']);
  const errors1 = need('Errors: total', ['total', 'client-timo', 'socket-timo', 'connrefused', 'connreset']);
  const errors2 = need('Errors: fd-unavail', ['fd-unavail', 'addrunavail', 'ftab-full', 'other']);

  return {
    connections: get(total, 'connections'),
    requests: get(total, 'requests'),
    replies: get(total, 'replies'),
    durationS: get(total, 'test-duration'),
    requestRatePerS: Number(requestRate[1]),
    replyRate: {
      min: get(reply, 'min'),
      avg: get(reply, 'avg'),
      max: get(reply, 'max'),
      stddev: get(reply, 'stddev'),
      samples: Number(samples?.[1] ?? Number.NaN),
    },
    replyRateSamples: [...other.matchAll(/^reply-rate = ([\d.]+)/gm)].map((match) => Number(match[1])),
    status: {
      '1xx': get(status, '1xx'),
      '2xx': get(status, '2xx'),
      '3xx': get(status, '3xx'),
      '4xx': get(status, '4xx'),
      '5xx': get(status, '5xx'),
    },
    errors: {
      total: get(errors1, 'total'),
      clientTimeouts: get(errors1, 'client-timo'),
      socketTimeouts: get(errors1, 'socket-timo'),
      connectionsRefused: get(errors1, 'connrefused'),
      connectionsReset: get(errors1, 'connreset'),
      fdUnavailable: get(errors2, 'fd-unavail'),
      addressUnavailable: get(errors2, 'addrunavail'),
      ftabFull: get(errors2, 'ftab-full'),
      other: get(errors2, 'other'),
    },
  };
}

/** When each call was sent and answered, in ms since the epoch (the clock of QMP event timestamps). */
export interface CallTimes {
  sentMs: Map<number, number>;
  repliedMs: Map<number, number>;
}

export interface HttperfRun {
  summary: HttperfSummary;
  calls: CallTimes;
  /** Epoch ms when the process was started. */
  startedMs: number;
  /** True when the harness stopped it (SIGINT) before its last connection. */
  interrupted: boolean;
}

export interface RunningHttperf {
  process: ManagedProcess;
  calls: CallTimes;
  startedMs: number;
  /** Resolves when httperf has exited on its own, with its summary. */
  finished: Promise<HttperfRun>;
  /** SIGINT: httperf stops issuing, abandons calls in flight and prints its summary. */
  interrupt(): Promise<HttperfRun>;
}

/** Starts httperf in `netns`; `track` gets the process at once (testbed teardown). */
export function startHttperf(
  load: HttperfLoad,
  netns: string,
  track: (proc: ManagedProcess) => void,
  now: () => number = Date.now,
): RunningHttperf {
  const argv = httperfArgv(load);
  const calls: CallTimes = { sentMs: new Map(), repliedMs: new Map() };
  const startedMs = now();
  const proc = spawnManaged('httperf', argv, { netns });
  track(proc);
  let pending = '';
  const other: string[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    const at = now();
    const parts = (pending + chunk.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      const parsed = classifyLine(line);
      if (parsed.kind === 'sent') calls.sentMs.set(parsed.id, at);
      else if (parsed.kind === 'replied') calls.repliedMs.set(parsed.id, at);
      else if (parsed.kind === 'other') other.push(parsed.text);
    }
  });
  let interrupted = false;
  const finished = proc.exited.then((status): HttperfRun => {
    const text = [...other, pending].join('\n');
    if (status.code !== 0) {
      const how = status.signal !== null ? `signal ${status.signal}` : `status ${String(status.code)}`;
      throw new Error(`httperf exited with ${how}: ${proc.outputTail().split('\n').slice(-3).join(' | ')}`);
    }
    return { summary: parseHttperfSummary(text), calls, startedMs, interrupted };
  });
  finished.catch(() => undefined); // the caller awaits it; no unhandled rejection meanwhile
  return {
    process: proc,
    calls,
    startedMs,
    finished,
    async interrupt(): Promise<HttperfRun> {
      if (!proc.hasExited()) {
        interrupted = true;
        await proc.kill('SIGINT', 10_000);
      }
      return finished;
    },
  };
}

/** Runs httperf to its end (a probe); rejects with one line when it fails, or at once when `signal` aborts. */
export async function runHttperf(
  load: HttperfLoad,
  netns: string,
  track: (proc: ManagedProcess) => void,
  signal?: AbortSignal,
): Promise<HttperfRun> {
  throwIfAborted(signal, 'aborted before httperf started');
  const run = startHttperf(load, netns, track);
  // A probe lasts seconds: an interrupted run must not wait for it.
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    void run.process.kill('SIGKILL', 1_000);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run.finished;
  } catch (error) {
    if (aborted) throw new AbortedError('aborted while httperf ran');
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
