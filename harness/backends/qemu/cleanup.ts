/**
 * Process-level safety net: every live testbed registers a synchronous
 * teardown here, so SIGINT/SIGTERM (or a crash that reaches 'exit') still
 * removes QEMUs, sshd, namespaces and /dev/shm files. This module never
 * calls process.exit: the CLI decides how to exit (see installSignalCleanup).
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLines } from '../../linux/processes.ts';
import { destroyLink, listNamespaces, ownerPid } from './links.ts';

type Teardown = () => void;

const active = new Set<Teardown>();

/** Registers a synchronous, idempotent teardown; returns its unregister function. */
export function registerTeardown(teardown: Teardown): () => void {
  active.add(teardown);
  return () => active.delete(teardown);
}

export function activeTestbeds(): number {
  return active.size;
}

/** Runs every registered teardown now (synchronously). Safe to call twice. */
export function cleanupAllTestbeds(): void {
  for (const teardown of [...active]) {
    active.delete(teardown);
    try {
      teardown();
    } catch {
      // keep going: the other testbeds must still be removed
    }
  }
}

/**
 * For the CLI: on SIGINT/SIGTERM, tears every testbed down synchronously and
 * then calls `onSignal(signal)`, which should exit (e.g. with 130 / 143).
 * When another listener for the signal will unwind the run itself (cancel
 * the migration, tear down, keep its rows), the first signal only arms a
 * deadline of `graceMs`: a second signal, or the deadline, tears down here.
 * Also tears down on 'exit'. Returns a function removing the handlers.
 */
export function installSignalCleanup(onSignal: (signal: NodeJS.Signals) => void, graceMs = 0): () => void {
  let deadline: NodeJS.Timeout | undefined;
  const tearDownNow = (signal: NodeJS.Signals): void => {
    clearTimeout(deadline);
    cleanupAllTestbeds();
    onSignal(signal);
  };
  const handler = (signal: NodeJS.Signals): void => {
    const someoneUnwinds = process.listenerCount(signal) > 1;
    if (graceMs <= 0 || deadline !== undefined || !someoneUnwinds) {
      tearDownNow(signal);
      return;
    }
    // unref: a run that unwinds in time exits on its own, without waiting for the deadline.
    deadline = setTimeout(() => tearDownNow(signal), graceMs).unref();
  };
  const onExit = (): void => cleanupAllTestbeds();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  process.on('exit', onExit);
  return () => {
    clearTimeout(deadline);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
    process.off('exit', onExit);
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const SHM_PREFIX = 'vmbeam-';
export const RUN_DIR_PREFIX = 'vmbeam-qemu-';

/** The owner pid a command line names through a run's RAM file or private directory, if any. */
export function ownerNamed(commandLine: string): number | undefined {
  const match = /\/(?:vmbeam-qemu-|vmbeam-)(\d+)-/.exec(commandLine);
  return match === null ? undefined : Number(match[1]);
}

/** Live processes whose command line names a run whose harness is dead. */
function processesOfDeadRuns(): { pid: number; commandLine: string }[] {
  return [...commandLines()].flatMap(([pid, commandLine]) => {
    const owner = ownerNamed(commandLine);
    return owner !== undefined && owner !== process.pid && pid !== process.pid && !pidAlive(owner) ? [{ pid, commandLine }] : [];
  });
}

/**
 * Removes what runs of a harness that died without cleaning up (SIGKILL,
 * power loss) left behind: namespaces (and the processes inside), /dev/shm
 * files and private directories whose owner pid is no longer alive. Returns
 * what it removed.
 */
export function sweepLeftovers(): string[] {
  const removed: string[] = [];
  // Processes first (boot and KVM-probe QEMUs, sshd, ssh): they hold the files and namespaces below.
  for (const { pid, commandLine } of processesOfDeadRuns()) {
    try {
      process.kill(pid, 'SIGKILL');
      removed.push(`process ${pid} ${commandLine.slice(0, 60)}`);
    } catch {
      // exited meanwhile
    }
  }
  const namespaces = listNamespaces().filter((name) => {
    const owner = ownerPid(name);
    return owner !== undefined && owner !== process.pid && !pidAlive(owner);
  });
  for (const ns of namespaces) {
    // destroyLink works per pair; passing the same name twice is harmless.
    destroyLink({ sourceNs: ns, destinationNs: ns, sourceVeth: '', destinationVeth: '' });
    removed.push(`netns ${ns}`);
  }
  const stale = (name: string, prefix: string): boolean => {
    if (!name.startsWith(prefix)) return false;
    const owner = Number(name.slice(prefix.length).split('-')[0]);
    return Number.isInteger(owner) && owner > 0 && owner !== process.pid && !pidAlive(owner);
  };
  for (const [dir, prefix] of [
    ['/dev/shm', SHM_PREFIX],
    [tmpdir(), RUN_DIR_PREFIX],
  ] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((entry) => stale(entry, prefix))) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}
