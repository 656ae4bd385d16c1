/**
 * The testbed's one way to wait: sleep or poll until a condition holds,
 * ending early on the caller's abort, on a deadline, or when a `failure`
 * promise rejects (a process that exited). Built on timers/promises with
 * AbortSignal.any, so no timer or listener outlives the wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, TimeoutError } from './errors.ts';

export interface WaitOptions {
  /** The caller's abort; ends the wait with AbortedError(abortMessage). */
  readonly signal?: AbortSignal | undefined;
  /** A function when it should describe the abort's reason, known only once it fired. */
  readonly abortMessage?: string | (() => string);
  /** A rejection ends the wait with that rejection's error (e.g. exitAsError of a process). */
  readonly failure?: Promise<never> | undefined;
}

export interface PollOptions extends WaitOptions {
  readonly timeoutMs: number;
  /** The TimeoutError's message; a function, so it can describe the last state seen. */
  readonly timeoutMessage: () => string;
  /** Between probes; the probes here read a file or a flag, so 20 ms costs nothing measured. */
  readonly intervalMs?: number;
}

/**
 * Everything that ends one wait early, as one AbortSignal for the sleeps
 * (the failure promise becomes a signal too, so a sleep ends the moment a
 * process exits), and the error to end with.
 */
class Stop {
  private readonly failed = new AbortController();
  readonly signal: AbortSignal;

  constructor(private readonly options: WaitOptions, deadline: AbortSignal | undefined) {
    options.failure?.catch((error: unknown) => this.failed.abort(error));
    const signals = [this.failed.signal];
    if (options.signal !== undefined) signals.push(options.signal);
    if (deadline !== undefined) signals.push(deadline);
    this.signal = AbortSignal.any(signals);
  }

  /** The error to end with, if something other than the deadline stopped the wait. */
  early(): unknown {
    if (this.failed.signal.aborted) return this.failed.signal.reason;
    if (this.options.signal?.aborted === true) {
      const message = this.options.abortMessage ?? 'aborted';
      return new AbortedError(typeof message === 'string' ? message : message());
    }
    return undefined;
  }
}

/** Sleeps `ms`; throws the failure's error, or AbortedError on abort, if either comes first. */
export async function pause(ms: number, options: WaitOptions = {}): Promise<void> {
  const stop = new Stop(options, undefined);
  const early = stop.early();
  if (early !== undefined) throw early;
  try {
    await sleep(Math.max(0, ms), undefined, { signal: stop.signal });
  } catch (error) {
    throw stop.early() ?? error;
  }
}

/** Sleeps until the epoch time `epochMs` (Date.now() clock), like `pause`. */
export function pauseUntil(epochMs: number, options: WaitOptions = {}): Promise<void> {
  return pause(epochMs - Date.now(), options);
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than
 * undefined, and returns that value. Ends with the failure's error, an
 * AbortedError, or a TimeoutError after `timeoutMs`; an error `probe` throws
 * ends it too. The failure and the abort are checked before each probe.
 */
export async function pollUntil<T>(probe: () => T | undefined | Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = AbortSignal.timeout(Math.max(0, options.timeoutMs));
  const stop = new Stop(options, deadline);
  for (;;) {
    const early = stop.early();
    if (early !== undefined) throw early;
    const value = await probe();
    if (value !== undefined) return value;
    if (deadline.aborted) throw new TimeoutError(options.timeoutMessage());
    await sleep(options.intervalMs ?? 20, undefined, { signal: stop.signal }).catch(() => undefined);
  }
}
