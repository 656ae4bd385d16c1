/**
 * Commands on testbed hosts, as `ssh <options> <host> <command…>` through
 * execa with an argument array: nothing is ever parsed by a local shell.
 *
 * ssh itself joins the command words with spaces and hands the result to
 * the remote user's shell, so each word is quoted for that shell here;
 * without it `xl create cfg 'memory=512'` would work but a config path with
 * a space, or a `-s "ssh -c none"` option, would be split on the remote side.
 */
import { execa } from 'execa';
import { LineSplitter, type TimedLine } from './lines.ts';

export interface RunOptions {
  /** Kill the local ssh after this long (the remote side may need its own `timeout`). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Called for every line as it arrives, stdout and stderr alike. */
  readonly onLine?: (line: TimedLine) => void;
}

/** Success and failure have one shape; whether a failure throws is the caller's policy. */
export interface RemoteResult {
  readonly host: string;
  readonly command: string;
  /** undefined when ssh never ran or was killed by a signal. */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  /** Killed on purpose by `stop()` or the abort signal. */
  readonly stopped: boolean;
  /** Why ssh could not be started at all (e.g. not on PATH). */
  readonly spawnError: string | undefined;
  readonly durationMs: number;
  readonly lines: readonly TimedLine[];
}

export interface RunningCommand {
  readonly done: Promise<RemoteResult>;
  /** Ends the command (SIGTERM, then SIGKILL) and waits for its result. */
  stop(): Promise<RemoteResult>;
}

/** ssh exits 255 when it could not reach or authenticate to the host. */
export const SSH_CONNECTION_FAILED = 255;

export class Remote {
  constructor(
    readonly host: string,
    private readonly sshOptions: readonly string[],
  ) {}

  /** The argument vector given to the local `ssh`. */
  sshArgs(command: readonly string[]): string[] {
    return [...this.sshOptions, this.host, ...command.map(quoteForShell)];
  }

  run(command: readonly string[], options: RunOptions): Promise<RemoteResult> {
    return this.start(command, options).done;
  }

  /** Starts a command and returns at once; `done` settles when it exits (never rejects). */
  start(command: readonly string[], options: RunOptions): RunningCommand {
    const lines: TimedLine[] = [];
    const started = performance.now();
    const now = () => performance.now();
    const record = (line: TimedLine) => {
      lines.push(line);
      options.onLine?.(line);
    };
    let stopped = false;
    const subprocess = execa('ssh', this.sshArgs(command), {
      reject: false,
      buffer: false,
      stdin: 'ignore',
      timeout: options.timeoutMs,
      forceKillAfterDelay: 2_000,
      ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = subprocess[stream];
      if (readable === null) continue;
      const splitter = new LineSplitter(stream, record);
      readable.setEncoding('utf8');
      readable.on('data', (chunk: string) => splitter.push(chunk, now()));
      readable.on('end', () => splitter.end(now()));
    }
    const commandText = command.join(' ');
    const done = subprocess.then((result) => ({
      host: this.host,
      command: commandText,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      stopped: stopped || result.isCanceled,
      spawnError: result.exitCode === undefined && !result.isTerminated ? result.shortMessage : undefined,
      durationMs: performance.now() - started,
      lines,
    }));
    return {
      done,
      stop: async () => {
        stopped = true;
        subprocess.kill('SIGTERM');
        return done;
      },
    };
  }
}

/** The text a failed command left, for error messages: its last non-empty line. */
export function lastLine(result: RemoteResult): string | undefined {
  return result.lines.at(-1)?.text;
}

/** One line saying why a command failed, or undefined if it succeeded. */
export function describeFailure(result: RemoteResult): string | undefined {
  if (result.spawnError !== undefined) return `cannot run ssh: ${result.spawnError}`;
  if (result.timedOut) return `\`${result.command}\` on ${result.host} did not finish within the time limit and was killed`;
  if (result.exitCode === 0) return undefined;
  const said = lastLine(result);
  const why = said === undefined ? '' : `: ${said}`;
  if (result.exitCode === SSH_CONNECTION_FAILED) return `cannot reach ${result.host} over ssh${why}`;
  return `\`${result.command}\` on ${result.host} exited with ${result.exitCode ?? 'a signal'}${why}`;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./\-]+$/;

/** Quotes one word for a POSIX shell: plain words stay readable, others go in single quotes. */
export function quoteForShell(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
