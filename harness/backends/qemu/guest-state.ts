/**
 * Saved guests: each guest size is booted and filled once, paused and saved
 * to a file; every migration restores that state into a fresh source QEMU.
 * Under TCG a boot and fill costs 5-9 s and a restore well under one, and
 * every measured guest then starts from the same filled memory.
 *
 * The files live in a private 0700 directory named like the testbeds' (so
 * sweepLeftovers removes it after a crash) and are removed by `dispose()`
 * or, on SIGINT/SIGTERM, by the registered teardown.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_PREFIX, registerTeardown } from './cleanup.ts';
import type { GuestImage } from './image.ts';
import { READY_LINE } from './image.ts';
import type { QmpClient } from './qmp.ts';
import { Testbed } from './testbed.ts';
import type { Accel } from './types.ts';
import { bootTimeoutMs, launchVm, waitForConsoleLine, type Vm } from './vm.ts';

export interface GuestState {
  readonly accel: Accel;
  readonly memoryMb: number;
  /** The saved migration stream; load it with `migrate-incoming exec:cat <path>`. */
  readonly path: string;
  readonly bytes: number;
  /** The workload's ready line (how much memory it filled). */
  readonly readyLine: string;
  /** From launching QEMU to the ready line: what every migration would pay without saved states. */
  readonly bootTimeS: number;
  readonly saveTimeS: number;
}

/** Saving and loading a state is a local copy: no reason to throttle it (QEMU's default is 128 MiB/s). */
const LOCAL_COPY_BYTES_PER_S = 64 * 1024 ** 3;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Quotes a path for the shell QEMU runs `exec:` URIs with. */
export function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs one migration between a QEMU and a file (save or restore) and waits for
 * its end; `start` issues the command. Throws with QEMU's error text.
 */
export async function migrateFile(
  qmp: QmpClient,
  start: () => Promise<unknown>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
  const since = qmp.nextEventSeq;
  await start();
  const event = await qmp.waitForEvent('MIGRATION', {
    predicate: (candidate) => TERMINAL.has(String(candidate.data['status'])),
    timeoutMs,
    since,
  });
  const status = String(event.data['status']);
  if (status !== 'completed') {
    const info = await qmp.execute<{ 'error-desc'?: string }>('query-migrate').catch(() => ({ 'error-desc': undefined }));
    throw new Error(`${what} ${status}${info['error-desc'] === undefined ? '' : `: ${info['error-desc']}`}`);
  }
}

/** Budget for saving or loading `memoryMb` through a local file. */
export function stateCopyTimeoutMs(memoryMb: number): number {
  return 30_000 + Math.ceil(memoryMb / 1024) * 15_000;
}

export class GuestStateStore {
  private readonly dir: string;
  private readonly states = new Map<string, Promise<GuestState>>();
  private readonly unregister: () => void;
  private disposed = false;

  constructor(private readonly image: GuestImage) {
    this.dir = mkdtempSync(join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-states-`)); // 0700
    this.unregister = registerTeardown(() => this.disposeSync());
  }

  /** The saved state of a `memoryMb` guest, booting and saving it on first use. */
  state(accel: Accel, memoryMb: number, signal?: AbortSignal): Promise<GuestState> {
    if (this.disposed) return Promise.reject(new Error('guest state store already disposed'));
    const key = `${accel}-${memoryMb}`;
    let state = this.states.get(key);
    if (state === undefined) {
      state = this.bootAndSave(accel, memoryMb, join(this.dir, `${key}.state`), signal);
      // A failed boot is not cached: the next migration of this size tries again.
      state.catch(() => this.states.delete(key));
      this.states.set(key, state);
    }
    return state;
  }

  private async bootAndSave(accel: Accel, memoryMb: number, path: string, signal?: AbortSignal): Promise<GuestState> {
    const testbed = new Testbed();
    try {
      return await this.bootAndSaveOn(testbed, accel, memoryMb, path, signal);
    } finally {
      await testbed.teardown();
    }
  }

  private async bootAndSaveOn(
    testbed: Testbed,
    accel: Accel,
    memoryMb: number,
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<GuestState> {
    const start = performance.now();
    const vm: Vm = await launchVm(
      {
        role: 'boot',
        accel,
        memoryMb,
        image: this.image,
        sharedMemoryPath: undefined,
        qmpSocket: join(testbed.dir, 'boot-qmp.sock'),
        serialLog: join(testbed.dir, 'boot-serial.log'),
        controlSocket: join(testbed.dir, 'boot-control.sock'),
      },
      undefined,
      testbed.track.bind(testbed),
    );
    testbed.qmpClients.push(vm.qmp);
    const readyLine = await waitForConsoleLine(vm, READY_LINE, bootTimeoutMs(accel, memoryMb), signal);
    const bootTimeS = (performance.now() - start) / 1000;
    // Paused first, the state is one consistent pass instead of a live pre-copy.
    const saveStart = performance.now();
    await vm.qmp.execute('stop');
    await vm.qmp.execute('migrate-set-parameters', { 'max-bandwidth': LOCAL_COPY_BYTES_PER_S });
    await migrateFile(
      vm.qmp,
      () => vm.qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(path)}` }),
      `saving the ${memoryMb} MB guest to ${path}`,
      stateCopyTimeoutMs(memoryMb),
    );
    const saveTimeS = (performance.now() - saveStart) / 1000;
    return { accel, memoryMb, path, bytes: statSync(path).size, readyLine, bootTimeS, saveTimeS };
  }

  private disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unregister();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Removes every saved state; safe to call twice. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.states.values());
    this.disposeSync();
  }
}

/**
 * Loads a saved state into a QEMU started with `-incoming defer` (still
 * paused), lets it run and returns how long that took.
 */
export async function restoreGuest(vm: Vm, state: GuestState): Promise<number> {
  const start = performance.now();
  await vm.qmp.execute('migrate-set-parameters', { 'max-bandwidth': LOCAL_COPY_BYTES_PER_S });
  await migrateFile(
    vm.qmp,
    () => vm.qmp.execute('migrate-incoming', { uri: `exec:cat ${shellQuote(state.path)}` }),
    `restoring the saved ${state.memoryMb} MB guest`,
    stateCopyTimeoutMs(state.memoryMb),
  );
  const since = vm.qmp.nextEventSeq;
  await vm.qmp.execute('cont');
  await vm.qmp.waitForEvent('RESUME', { timeoutMs: 10_000, since });
  return (performance.now() - start) / 1000;
}
