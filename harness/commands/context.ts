/**
 * What a command gets from the CLI and what it hands back. Commands never
 * read argv, touch the process's signals or exit: the CLI does, through
 * this context.
 */
import { constants as osConstants } from 'node:os';

/** Exit codes: 0 all done, 1 some migrations or gates failed, 2 a bad command line or a machine that cannot run it. */
export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;

/** The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0);
}

/** The machine cannot run what was asked (missing package, no root, no host profile): one line, exit 2. */
export class EnvironmentError extends Error {}

export interface CommandContext {
  /**
   * Runs `body` with SIGINT, SIGTERM and SIGHUP turned into an abort of the
   * signal it is given, so a run can cancel its migration and keep its rows.
   */
  interruptible<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** The exit code of the signal that interrupted the last interruptible body (128 + its number). */
  interruptedExitCode(): number;
  /**
   * Registers what must be written if the process is ended before the run
   * unwinds (a second signal, the qemu safety net's deadline). Synchronous;
   * returns a function that unregisters it.
   */
  onForcedExit(finalize: () => void): () => void;
  /** The qemu safety net's last resort: run the finalizers, then end the process with the code of `signal`. */
  exitOnSignal(signal: NodeJS.Signals): void;
}

/** The message of anything thrown, as one line's worth of text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
