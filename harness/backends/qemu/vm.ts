/**
 * One QEMU instance of the testbed: its command line (pure), launching it
 * (optionally in a namespace, optionally with /dev/shm hidden), its QMP
 * connection, waiting for a line of the guest's serial console, starting
 * the workload through its control port, and reading the console for signs
 * that the guest broke.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import type { ControlPort } from './control-port.ts';
import { guestRamBytes } from './guest-ram.ts';
import { DIRTYING_LINE, controlCommand, kernelCommandLine, type GuestImage, type WorkloadParameters } from './image.ts';
import { QmpClient } from './qmp.ts';
import { exitAsError, spawnManaged, type ManagedProcess } from './procs.ts';
import type { Accel } from './types.ts';
import { pollUntil } from './wait.ts';
import { nicArgv, nicKernelArgs, type GuestNic } from './web/guest.ts';

/**
 * `boot` boots the guest to save its state (guest-state.ts); `source` and
 * `destination` start with `-incoming defer`: the source to restore that
 * state, the destination to receive the migration.
 */
export type VmRole = 'boot' | 'source' | 'destination';

export interface VmConfig {
  role: VmRole;
  accel: Accel;
  memoryMb: number;
  image: GuestImage;
  /** Shared file backing guest RAM (zero-copy); anonymous RAM when undefined. */
  sharedMemoryPath: string | undefined;
  qmpSocket: string;
  serialLog: string;
  /** UNIX socket behind the guest's second serial port (the workload's control port). */
  controlSocket: string;
  /** Fig. 7: a NIC on a tap device and the web server; none for Figs. 2-6. */
  nic?: GuestNic;
}

/** Every role has the same RAM block name and devices, so a state saved by one loads into any other. */
const RAM_ID = 'ram0';

export function qemuArgv(config: VmConfig): string[] {
  const size = `${guestRamBytes(config.memoryMb) / 1024}K`;
  const ram =
    config.sharedMemoryPath === undefined
      ? `memory-backend-ram,id=${RAM_ID},size=${size}`
      : `memory-backend-file,id=${RAM_ID},size=${size},mem-path=${config.sharedMemoryPath},share=on`;
  const argv = [
    'qemu-system-x86_64',
    '-name', `vmbeam-${config.role}`,
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-accel', config.accel,
    '-cpu', config.accel === 'kvm' ? 'host' : 'qemu64',
    '-smp', '1',
    '-m', size,
    '-object', ram,
    '-machine', `pc,memory-backend=${RAM_ID}`,
    '-kernel', config.image.kernel,
    '-initrd', config.image.initrd,
    '-append', [kernelCommandLine(), ...(config.nic === undefined ? [] : nicKernelArgs(config.nic))].join(' '),
    '-chardev', `file,id=serial0,path=${config.serialLog}`,
    '-serial', 'chardev:serial0',
    '-chardev', `socket,id=control,path=${config.controlSocket},server=on,wait=off`,
    '-serial', 'chardev:control',
    '-qmp', `unix:${config.qmpSocket},server=on,wait=off`,
  ];
  if (config.nic !== undefined) argv.push(...nicArgv(config.nic));
  if (config.role !== 'boot') argv.push('-incoming', 'defer');
  return argv;
}

export interface Vm {
  process: ManagedProcess;
  qmp: QmpClient;
  config: VmConfig;
}

/**
 * Starts QEMU (in `netns`, and with /dev/shm hidden when asked) and connects
 * QMP; `track` gets the process before anything can fail.
 */
export async function launchVm(
  config: VmConfig,
  netns: string | undefined,
  track: (proc: ManagedProcess) => void,
  hideSharedMemory = false,
): Promise<Vm> {
  const name = `${config.role} QEMU`;
  const proc = spawnManaged(name, qemuArgv(config), { ...(netns === undefined ? {} : { netns }), hideSharedMemory });
  track(proc);
  const exited = exitAsError(proc);
  // Once QEMU has exited nothing will listen on its socket: stop retrying at once.
  const gone = new AbortController();
  exited.catch((error: unknown) => gone.abort(error));
  const qmp = await Promise.race([QmpClient.connect(config.qmpSocket, 15_000, gone.signal), exited]);
  return { process: proc, qmp, config };
}

/** Reads whatever was appended to a file since `offset`. */
function readFrom(path: string, offset: number): { text: string; offset: number } {
  if (!existsSync(path)) return { text: '', offset };
  const size = statSync(path).size;
  if (size <= offset) return { text: '', offset };
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    return { text: buffer.subarray(0, n).toString('utf8'), offset: offset + n };
  } finally {
    closeSync(fd);
  }
}

const GUEST_FAILURES = ['VMBEAM-ERROR', 'Kernel panic', 'Out of memory: Killed process'];

/** What shows on a console that a guest broke: the workload's own alarms and the kernel's. */
const BROKEN_GUEST = ['VMBEAM-ERROR', 'VMBEAM-CORRUPT', 'Kernel panic', 'BUG: ', 'Oops: ', 'Out of memory: Killed process'];

/** The first console line (of the whole serial log) saying the guest broke, or undefined. */
export function brokenGuestLine(vm: Vm): string | undefined {
  const log = readFrom(vm.config.serialLog, 0).text;
  const line = log.split('\n').find((candidate) => BROKEN_GUEST.some((marker) => candidate.includes(marker)));
  return line?.trim();
}

/**
 * Waits for a console line starting with `prefix` on the serial log. It runs
 * only before a migration, never during one, so polling one file every 20 ms
 * costs nothing that is measured. Returns the line.
 */
export async function waitForConsoleLine(
  vm: Vm,
  prefix: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  let offset = 0;
  let log = '';
  return pollUntil(
    () => {
      const chunk = readFrom(vm.config.serialLog, offset);
      offset = chunk.offset;
      log = (log + chunk.text).slice(-16384);
      const found = log.split('\n').find((line, index, lines) => line.startsWith(prefix) && index < lines.length - 1);
      if (found !== undefined) return found.trim();
      const failure = GUEST_FAILURES.find((marker) => log.includes(marker));
      if (failure !== undefined) {
        const line = log.split('\n').find((l) => l.includes(failure)) ?? failure;
        throw new Error(`guest failed: ${line.trim()}`);
      }
      return undefined;
    },
    {
      timeoutMs,
      signal,
      abortMessage: `aborted while waiting for the guest's ${prefix} line`,
      failure: exitAsError(vm.process),
      timeoutMessage: () =>
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the guest's ${prefix} line ` +
        `(last console line: ${log.trim().split('\n').at(-1) ?? '(none)'})`,
    },
  );
}

/**
 * Sends the workload its dirty parameters on its control port and waits for
 * its acknowledgement on the console. The port stays open: QEMU reads it as
 * fast as the guest's UART drains it, a hang-up could drop what it has not
 * read yet, and the workload's write reports come back on it. Returns the
 * acknowledgement line.
 */
export async function startWorkload(
  vm: Vm,
  port: ControlPort,
  workload: WorkloadParameters,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  port.send(controlCommand(workload));
  return await Promise.race([waitForConsoleLine(vm, DIRTYING_LINE, timeoutMs, signal), port.failed]);
}

/** A boot budget: TCG boots in ~7-9 s here; memory fill adds ~5 s per GB. */
export function bootTimeoutMs(accel: Accel, memoryMb: number): number {
  const base = accel === 'tcg' ? 90_000 : 60_000;
  return base + Math.ceil(memoryMb / 1024) * 30_000;
}
