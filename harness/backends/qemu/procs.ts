/**
 * Child processes of the testbed: spawn (optionally inside a network
 * namespace), keep a stderr tail for error messages, kill and await.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves (never rejects) when the process has exited. */
  exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** Last few KB of stderr (and stdout), for error messages. */
  outputTail(): string;
  /** Sends `signal` (default SIGKILL) and waits up to `waitMs` for the exit. */
  kill(signal?: NodeJS.Signals, waitMs?: number): Promise<void>;
}

const TAIL_BYTES = 4096;

export interface SpawnOptions {
  /** Run inside this network namespace (`ip netns exec` execs in place: the pid is the program's). */
  netns?: string;
  /** Also append all output to this file. */
  logFile?: string;
  /** Called with each chunk of stderr/stdout text. */
  onOutput?: (text: string) => void;
  /** Run in a private mount namespace whose /dev/shm is empty (hiddenShmArgv). */
  hideSharedMemory?: boolean;
}

export function netnsArgv(netns: string | undefined, argv: readonly string[]): string[] {
  return netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];
}

/**
 * Runs `argv` in its own mount namespace in which /dev/shm is an empty
 * tmpfs: a process there cannot open the source's guest-RAM file, as on
 * another host. unshare and sh exec in place, so the pid is the program's,
 * and the namespace (with its tmpfs) ends with the program.
 */
export function hiddenShmArgv(argv: readonly string[]): string[] {
  const script = 'mount -t tmpfs -o size=1m,mode=1777 vmbeam-hidden /dev/shm && exec "$@"';
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv];
}

export function spawnManaged(name: string, argv: readonly string[], options: SpawnOptions = {}): ManagedProcess {
  const full = netnsArgv(options.netns, options.hideSharedMemory === true ? hiddenShmArgv(argv) : argv);
  const [command, ...args] = full;
  if (command === undefined) throw new Error(`empty command line for ${name}`);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let tail = '';
  let exitedFlag = false;
  let log: WriteStream | undefined;
  if (options.logFile !== undefined) log = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_BYTES);
    log?.write(chunk);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error) => {
      tail += `\n${error.message}`;
      exitedFlag = true;
      log?.end();
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      log?.end();
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  return {
    name,
    pid,
    child,
    exited,
    hasExited: () => exitedFlag,
    outputTail: () => tail.trim(),
    async kill(signal: NodeJS.Signals = 'SIGKILL', waitMs = 5000): Promise<void> {
      if (exitedFlag) return;
      try {
        process.kill(pid, signal);
      } catch {
        return; // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    },
  };
}

/** Rejects with a descriptive error when `proc` exits; for racing against waits. */
export function exitAsError(proc: ManagedProcess): Promise<never> {
  return proc.exited.then((status) => {
    const how = status.signal !== null ? `signal ${status.signal}` : `status ${String(status.code)}`;
    const tail = proc.outputTail();
    throw new Error(`${proc.name} exited with ${how}${tail === '' ? '' : `: ${tail.split('\n').slice(-5).join(' | ')}`}`);
  });
}
