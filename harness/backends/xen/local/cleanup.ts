/**
 * Process-level safety net of the local xen testbed: a live testbed
 * registers a synchronous teardown here, so SIGINT/SIGTERM (or an exit
 * that skips the run's own unwinding) still removes its QEMUs, network
 * namespace and run directory. Never calls process.exit itself: the CLI's
 * `onSignal` decides. (The qemu backend has the same idea in its own
 * module; backends do not import each other.)
 */
import { execFileSync } from 'node:child_process';

type Teardown = () => void;

const active = new Set<Teardown>();

export function registerTeardown(teardown: Teardown): () => void {
  active.add(teardown);
  return () => active.delete(teardown);
}

export function cleanupAll(): void {
  for (const teardown of [...active]) {
    active.delete(teardown);
    try {
      teardown();
    } catch {
      // keep going: the other teardowns must still run
    }
  }
}

/**
 * On SIGINT/SIGTERM: when the run has its own listener (it cancels the
 * migration and closes the backend), the first signal only arms a deadline
 * of `graceMs`; a second signal, the deadline, or a signal with nobody else
 * listening (e.g. while the testbed boots) tears down here and calls
 * `onSignal`. Also tears down on 'exit'. Returns a function removing the handlers.
 */
export function installSignalCleanup(onSignal: (signal: NodeJS.Signals) => void, graceMs: number): () => void {
  let deadline: NodeJS.Timeout | undefined;
  const now = (signal: NodeJS.Signals): void => {
    clearTimeout(deadline);
    cleanupAll();
    onSignal(signal);
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (deadline !== undefined || process.listenerCount(signal) <= 1) {
      now(signal);
      return;
    }
    deadline = setTimeout(() => now(signal), graceMs).unref();
  };
  const onExit = (): void => cleanupAll();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('exit', onExit);
  return () => {
    clearTimeout(deadline);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('exit', onExit);
  };
}

export const NAMESPACE_PREFIX = 'vmbeam-xen-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a namespace name of ours carries, or undefined for anyone else's namespace. */
export function ownerOf(namespace: string): number | undefined {
  const match = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)$`).exec(namespace);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Removes what an earlier run that was killed outright (SIGKILL) left: our
 * namespaces whose owner process is gone, with the QEMUs still in them.
 * Only names carrying a dead pid are touched, never another run's.
 */
export function sweepLeftovers(): void {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return;
  }
  for (const name of list.split('\n').map((line) => line.split(' ')[0] ?? '')) {
    const owner = ownerOf(name);
    if (owner === undefined || alive(owner)) continue;
    destroyNamespace(name);
  }
}

/** Kills every process left in the namespace, then deletes it. */
export function destroyNamespace(name: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split('\n').filter((line) => /^\d+$/.test(line))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } catch {
    // no such namespace
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}
