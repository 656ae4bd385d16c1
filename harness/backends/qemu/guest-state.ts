/**
 * Saved guests: each guest size is booted and filled once, then paused and
 * kept as two files: its RAM (a template under /dev/shm: the boot QEMU's
 * RAM is that file, shared) and its device state (saved with
 * `x-ignore-shared`, so it leaves the RAM out). A migration copies the
 * template into its own RAM file (about 0.15 s for 512 MB) and loads the
 * device state into a fresh source QEMU. Under TCG a boot and fill costs
 * 5-9 s, and loading 512 MB through the migration stream 1-4 s; this way
 * every measured guest starts from the same filled memory in well under 1 s.
 *
 * The device states live in a private 0700 directory and the templates are
 * 0600 files, both named like the testbeds' (so sweepLeftovers removes them
 * after a crash), removed by `dispose()` or, on SIGINT/SIGTERM, by the
 * registered teardown.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_PREFIX, SHM_PREFIX, registerTeardown } from './cleanup.ts';
import { guestRamBytes } from './guest-ram.ts';
import type { GuestImage } from './image.ts';
import { READY_LINE } from './image.ts';
import { waitForMigrationEnd } from './migration.ts';
import type { QmpClient } from './qmp.ts';
import { Testbed } from './testbed.ts';
import type { Accel } from './types.ts';
import { bootTimeoutMs, launchVm, waitForConsoleLine, type Vm } from './vm.ts';

export interface GuestState {
  readonly accel: Accel;
  readonly memoryMb: number;
  /** The guest's RAM when it was saved; copy it, never map it. */
  readonly ramTemplatePath: string;
  /** The saved device state (RAM left out); load it with `migrate-incoming exec:cat <path>` and `x-ignore-shared`. */
  readonly deviceStatePath: string;
  readonly deviceStateBytes: number;
  /** The workload's ready line (how much memory it filled). */
  readonly readyLine: string;
  /** From launching QEMU to the ready line: what every migration would pay without saved guests. */
  readonly bootTimeS: number;
  readonly saveTimeS: number;
}

/** Quotes a path for the shell QEMU runs `exec:` URIs with. */
export function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

/** Only the device state goes through the file: guest RAM stays in the shared file. */
const DEVICE_STATE_CAPABILITIES = [
  { capability: 'events', state: true },
  { capability: 'x-ignore-shared', state: true },
];

/**
 * Runs one migration between a QEMU and a file (save or load) with
 * DEVICE_STATE_CAPABILITIES and waits for its end; `start` issues the
 * command. Throws with QEMU's error text.
 */
async function migrateDeviceState(qmp: QmpClient, start: () => Promise<unknown>, what: string): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities: DEVICE_STATE_CAPABILITIES });
  const since = qmp.nextEventSeq;
  await start();
  const event = await waitForMigrationEnd(qmp, { timeoutMs: 30_000, since });
  const status = String(event.data['status']);
  if (status !== 'completed') {
    const info = await qmp.execute<{ 'error-desc'?: string }>('query-migrate').catch(() => ({ 'error-desc': undefined }));
    throw new Error(`${what} ${status}${info['error-desc'] === undefined ? '' : `: ${info['error-desc']}`}`);
  }
}

export class GuestStateStore {
  private readonly dir: string;
  private readonly states = new Map<string, Promise<GuestState>>();
  private readonly templates = new Set<string>();
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
      state = this.bootAndSave(accel, memoryMb, key, signal);
      // A failed boot is not cached: the next migration of this size tries again.
      state.catch(() => this.states.delete(key));
      this.states.set(key, state);
    }
    return state;
  }

  private async bootAndSave(accel: Accel, memoryMb: number, key: string, signal?: AbortSignal): Promise<GuestState> {
    const ramTemplatePath = `/dev/shm/${SHM_PREFIX}${process.pid}-template-${key}`;
    this.templates.add(ramTemplatePath);
    rmSync(ramTemplatePath, { force: true }); // what a failed earlier attempt left
    const fd = openSync(ramTemplatePath, 'wx', 0o600);
    try {
      ftruncateSync(fd, guestRamBytes(memoryMb));
    } finally {
      closeSync(fd);
    }
    const testbed = new Testbed();
    try {
      return await this.bootAndSaveOn(testbed, accel, memoryMb, ramTemplatePath, join(this.dir, `${key}.state`), signal);
    } finally {
      await testbed.teardown();
    }
  }

  private async bootAndSaveOn(
    testbed: Testbed,
    accel: Accel,
    memoryMb: number,
    ramTemplatePath: string,
    deviceStatePath: string,
    signal: AbortSignal | undefined,
  ): Promise<GuestState> {
    const start = performance.now();
    const vm: Vm = await launchVm(
      {
        role: 'boot',
        accel,
        memoryMb,
        image: this.image,
        sharedMemoryPath: ramTemplatePath,
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
    // Paused, the RAM in the template and the device state belong to one instant.
    const saveStart = performance.now();
    await vm.qmp.execute('stop');
    await migrateDeviceState(
      vm.qmp,
      () => vm.qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(deviceStatePath)}` }),
      `saving the ${memoryMb} MB guest's device state`,
    );
    const saveTimeS = (performance.now() - saveStart) / 1000;
    return {
      accel,
      memoryMb,
      ramTemplatePath,
      deviceStatePath,
      deviceStateBytes: statSync(deviceStatePath).size,
      readyLine,
      bootTimeS,
      saveTimeS,
    };
  }

  private disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unregister();
    for (const path of [this.dir, ...this.templates]) rmSync(path, { recursive: true, force: true });
  }

  /** Removes every saved guest; safe to call twice. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.states.values());
    this.disposeSync();
  }
}

/**
 * Loads a saved guest into a QEMU started with `-incoming defer` whose RAM
 * file is a copy of `state.ramTemplatePath` (Testbed.copySharedMemory), lets
 * it run and returns how long that took. It leaves `x-ignore-shared` set: the
 * caller sets the capabilities of its own migration.
 */
export async function restoreGuest(vm: Vm, state: GuestState): Promise<number> {
  const start = performance.now();
  await migrateDeviceState(
    vm.qmp,
    () => vm.qmp.execute('migrate-incoming', { uri: `exec:cat ${shellQuote(state.deviceStatePath)}` }),
    `restoring the saved ${state.memoryMb} MB guest`,
  );
  const since = vm.qmp.nextEventSeq;
  await vm.qmp.execute('cont');
  await vm.qmp.waitForEvent('RESUME', { timeoutMs: 10_000, since });
  return (performance.now() - start) / 1000;
}
