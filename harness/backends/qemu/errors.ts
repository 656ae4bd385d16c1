/**
 * The two ways a testbed wait ends without its condition: the deadline
 * passed, or the caller aborted. Callers that react to one of them (e.g.
 * cancel a running migration) test the class, never the message text, so
 * messages can say what was awaited without breaking the classification.
 */

/** A bounded wait reached its deadline. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The caller's AbortSignal fired while waiting. */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

/** Throws AbortedError(`message`) when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, message: string): void {
  if (signal?.aborted === true) throw new AbortedError(message);
}
