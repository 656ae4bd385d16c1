/**
 * Everything one migration creates, in one place, with ONE synchronous,
 * idempotent teardown: QMP connections, processes, namespaces (veth, qdiscs),
 * the /dev/shm file and the private 0700 directory. The teardown is also
 * registered with cleanup.ts so a signal handler can run it.
 */
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestRamBytes } from './guest-ram.ts';
import { RUN_DIR_PREFIX, SHM_PREFIX, registerTeardown } from './cleanup.ts';
import { destroyLink, destroyNamespaces, type LinkNames } from './links.ts';
import type { ManagedProcess } from './procs.ts';
import type { QmpClient } from './qmp.ts';

let runCounter = 0;

export class Testbed {
  /** Distinguishes testbeds of this process (names include pid and run). */
  readonly run = ++runCounter;
  /** Private directory, mode 0700: keys, sockets, configs, logs. */
  readonly dir: string;
  readonly processes: ManagedProcess[] = [];
  readonly qmpClients: QmpClient[] = [];
  linkNames: LinkNames | undefined;
  /** Namespaces beyond the link's two (Fig. 7's client); register each before creating it. */
  readonly namespaces: string[] = [];
  sharedMemoryPath: string | undefined;
  private readonly unregister: () => void;
  private tornDown = false;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-`)); // mkdtemp creates 0700
    this.unregister = registerTeardown(() => this.teardownSync());
  }

  /** Adopts a process; one started after teardown (a lost race) is killed at once. */
  track(proc: ManagedProcess): void {
    this.processes.push(proc);
    if (this.tornDown) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Creates this testbed's guest-RAM file under /dev/shm, mode 0600, with the guest's size (zeros; 0 MB: empty). */
  createSharedMemory(memoryMb: number): string {
    const path = `/dev/shm/${SHM_PREFIX}${process.pid}-${this.run}`;
    this.sharedMemoryPath = path; // registered before it exists: teardown removes it whatever happens next
    const fd = openSync(path, 'wx', 0o600); // exclusive: never someone else's file
    try {
      ftruncateSync(fd, memoryMb === 0 ? 0 : guestRamBytes(memoryMb));
    } finally {
      closeSync(fd);
    }
    return path;
  }

  /** Creates this testbed's guest-RAM file as a copy of a saved guest's RAM. */
  copySharedMemory(templatePath: string): string {
    const path = this.createSharedMemory(0);
    copyFileSync(templatePath, path);
    return path;
  }

  /** Removes everything; returns problems it could not fix (normally none). */
  teardownSync(): string[] {
    if (this.tornDown) return [];
    this.tornDown = true;
    this.unregister();
    const problems: string[] = [];
    for (const client of this.qmpClients) client.close();
    for (const proc of this.processes) {
      if (proc.hasExited()) continue;
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.linkNames !== undefined) problems.push(...destroyLink(this.linkNames));
    problems.push(...destroyNamespaces(this.namespaces));
    for (const path of [this.sharedMemoryPath, this.dir]) {
      if (path === undefined) continue;
      try {
        rmSync(path, { recursive: true, force: true });
      } catch (error) {
        problems.push(`rm ${path}: ${String(error)}`);
      }
    }
    return problems;
  }

  /** Tears down and waits (bounded) until every process has really exited. */
  async teardown(): Promise<string[]> {
    const problems = this.teardownSync();
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.processes.map((proc) => proc.exited));
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    const alive = this.processes.filter((proc) => !proc.hasExited());
    if (alive.length > 0) problems.push(`still running after SIGKILL: ${alive.map((proc) => `${proc.name} ${proc.pid}`).join(', ')}`);
    return problems;
  }
}

/**
 * Runs `work` on a fresh testbed and ALWAYS tears it down, also when `work`
 * throws. The first failure wins; a teardown problem after success is an
 * error of its own ("<what> done but cleanup failed: ...").
 */
export async function onFreshTestbed<T>(what: string, work: (testbed: Testbed) => Promise<T>): Promise<T> {
  const testbed = new Testbed();
  let outcome: { value: T } | undefined;
  let failure: unknown;
  try {
    outcome = { value: await work(testbed) };
  } catch (error) {
    failure = error;
  }
  const problems = await testbed.teardown();
  if (outcome === undefined) throw failure;
  if (problems.length > 0) throw new Error(`${what} done but cleanup failed: ${problems.join('; ')}`);
  return outcome.value;
}
