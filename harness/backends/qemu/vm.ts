/**
 * One QEMU instance of the testbed: its command line (pure), launching it
 * (optionally in a namespace), its QMP connection, and waiting for the
 * guest's ready line on the serial console.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { READY_LINE, kernelCommandLine, type GuestImage, type WorkloadParameters } from './image.ts';
import { QmpClient } from './qmp.ts';
import { exitAsError, spawnManaged, type ManagedProcess } from './procs.ts';
import type { Accel } from './types.ts';

export interface VmConfig {
  accel: Accel;
  memoryMb: number;
  image: GuestImage;
  workload: WorkloadParameters;
  /** Shared file backing guest RAM (zero-copy); anonymous RAM when undefined. */
  sharedMemoryPath: string | undefined;
  qmpSocket: string;
  serialLog: string;
  /** Destination: wait for `migrate-incoming`. */
  incoming: boolean;
}

export function qemuArgv(config: VmConfig): string[] {
  const argv = [
    'qemu-system-x86_64',
    '-name', config.incoming ? 'vmbeam-destination' : 'vmbeam-source',
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-accel', config.accel,
    '-cpu', config.accel === 'kvm' ? 'host' : 'qemu64',
    '-smp', '1',
    '-m', `${config.memoryMb}M`,
  ];
  if (config.sharedMemoryPath !== undefined) {
    argv.push(
      '-object', `memory-backend-file,id=mem,size=${config.memoryMb}M,mem-path=${config.sharedMemoryPath},share=on`,
      '-machine', 'pc,memory-backend=mem',
    );
  } else {
    argv.push('-machine', 'pc');
  }
  argv.push(
    '-kernel', config.image.kernel,
    '-initrd', config.image.initrd,
    '-append', kernelCommandLine(config.workload),
    '-chardev', `file,id=serial0,path=${config.serialLog}`,
    '-serial', 'chardev:serial0',
    '-qmp', `unix:${config.qmpSocket},server=on,wait=off`,
  );
  if (config.incoming) argv.push('-incoming', 'defer');
  return argv;
}

export interface Vm {
  process: ManagedProcess;
  qmp: QmpClient;
  config: VmConfig;
}

/** Starts QEMU and connects QMP; `track` gets the process before anything can fail. */
export async function launchVm(
  config: VmConfig,
  netns: string | undefined,
  track: (proc: ManagedProcess) => void,
): Promise<Vm> {
  const name = config.incoming ? 'destination QEMU' : 'source QEMU';
  const proc = spawnManaged(name, qemuArgv(config), netns === undefined ? {} : { netns });
  track(proc);
  const qmp = await Promise.race([QmpClient.connect(config.qmpSocket, 15_000), exitAsError(proc)]);
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

/**
 * Waits for the workload's ready line on the serial log (boot only, so a
 * 100 ms poll of one file costs nothing). Returns the line.
 */
export async function waitForReady(vm: Vm, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  let offset = 0;
  let log = '';
  let stopped = false;
  const poll = (async (): Promise<string> => {
    while (!stopped) {
      if (signal?.aborted === true) throw new Error('aborted while booting the guest');
      const chunk = readFrom(vm.config.serialLog, offset);
      offset = chunk.offset;
      log = (log + chunk.text).slice(-16384);
      const ready = log.split('\n').find((line) => line.startsWith(READY_LINE) && line.includes('rate='));
      if (ready !== undefined) return ready.trim();
      const failure = GUEST_FAILURES.find((marker) => log.includes(marker));
      if (failure !== undefined) {
        const line = log.split('\n').find((l) => l.includes(failure)) ?? failure;
        throw new Error(`guest failed while booting: ${line.trim()}`);
      }
      if (performance.now() > deadline) {
        throw new Error(
          `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the guest's ${READY_LINE} line ` +
            `(last console line: ${log.trim().split('\n').at(-1) ?? '(none)'})`,
        );
      }
      await sleep(100);
    }
    throw new Error('stopped');
  })();
  try {
    return await Promise.race([poll, exitAsError(vm.process)]);
  } finally {
    stopped = true;
    poll.catch(() => undefined);
  }
}

/** A boot budget: TCG boots in ~7-9 s here; memory fill adds ~5 s per GB. */
export function bootTimeoutMs(accel: Accel, memoryMb: number): number {
  const base = accel === 'tcg' ? 90_000 : 60_000;
  return base + Math.ceil(memoryMb / 1024) * 30_000;
}
