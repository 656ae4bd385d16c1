/**
 * The guest image: Debian's kernel plus a busybox initramfs built by the
 * harness and cached by content hash. /init mounts proc/sys/dev and starts the
 * static workload (guest/workload.c), which fills free memory, prints
 * READY_LINE on ttyS0, waits for its dirty parameters on ttyS1 (the control
 * port), acknowledges with DIRTYING_LINE and dirties memory at that rate.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildCpio, type CpioEntry } from './cpio.ts';
import { BUSYBOX_PATH, findGuestKernel } from './prereq.ts';
import { webImageEntries } from './web/guest.ts';

/** Printed by the workload on the serial console once memory is filled. */
export const READY_LINE = 'VMBEAM-READY';
/** Printed once the workload has its dirty parameters and starts dirtying. */
export const DIRTYING_LINE = 'VMBEAM-DIRTYING';

export const WORKLOAD_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'guest', 'workload.c');

export const DEFAULT_IMAGE_DIR = join(homedir(), '.cache', 'vmbeam-harness', 'qemu');

/** The guest's /init (a real script in guest/): mounts, Fig. 7's start script, then the workload. */
export const INIT_SCRIPT_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'guest', 'init.sh');

export interface GuestImage {
  kernel: string;
  initrd: string;
}

/** What the workload dirties once started; 0/0 = idle (memory is still filled). */
export interface WorkloadParameters {
  dirtyRegionMb: number;
  dirtyPagesPerS: number;
}

export function kernelCommandLine(): string {
  return ['console=ttyS0', 'quiet', 'panic=-1', 'mitigations=off', 'no_timer_check', 'rdinit=/init'].join(' ');
}

/** The control-port command the workload understands (guest/workload.c, read_command). */
export function controlCommand(workload: WorkloadParameters): string {
  const mb = Math.max(0, Math.round(workload.dirtyRegionMb));
  const rate = Math.max(0, Math.round(workload.dirtyPagesPerS));
  return `dirty ${mb} ${rate}\n`;
}

function imageKey(kernel: string, extra: readonly CpioEntry[]): string {
  const hash = createHash('sha256');
  for (const entry of extra) {
    hash.update(`${entry.kind} ${entry.path} ${'mode' in entry ? String(entry.mode) : ''}\n`);
    if (entry.kind === 'file') hash.update(entry.data);
  }
  hash.update(readFileSync(WORKLOAD_SOURCE));
  hash.update(readFileSync(INIT_SCRIPT_SOURCE));
  hash.update(readFileSync(BUSYBOX_PATH));
  hash.update(kernel);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the initramfs into `imageDir` unless a cached copy with the same
 * content hash is there. Safe against concurrent builders (atomic rename).
 */
export function buildImage(imageDir: string = DEFAULT_IMAGE_DIR): GuestImage {
  const kernel = findGuestKernel();
  if (kernel === undefined) throw new Error('no guest kernel /boot/vmlinuz-*: install the Debian package linux-image-amd64');
  const web = webImageEntries(kernel);
  const initrd = join(imageDir, `initramfs-${imageKey(kernel, web)}.cpio.gz`);
  if (existsSync(initrd)) return { kernel, initrd };

  mkdirSync(imageDir, { recursive: true });
  const work = mkdtempSync(join(imageDir, '.build-'));
  try {
    const workload = join(work, 'workload');
    try {
      execFileSync('gcc', ['-static', '-O2', '-Wall', '-o', workload, WORKLOAD_SOURCE], { stdio: 'pipe' });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`building the guest workload failed (needs gcc and libc6-dev): ${stderr.trim()}`);
    }
    const entries: CpioEntry[] = [
      { kind: 'dir', path: 'bin' },
      { kind: 'dir', path: 'dev' },
      { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
      { kind: 'chardev', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
      { kind: 'dir', path: 'proc' },
      { kind: 'dir', path: 'sys' },
      { kind: 'dir', path: 'tmp', mode: 0o1777 },
      { kind: 'file', path: 'bin/busybox', data: readFileSync(BUSYBOX_PATH), mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
      { kind: 'file', path: 'bin/workload', data: readFileSync(workload), mode: 0o755 },
      { kind: 'file', path: 'init', data: readFileSync(INIT_SCRIPT_SOURCE), mode: 0o755 },
      ...web,
    ];
    const partial = join(work, 'initramfs.cpio.gz');
    writeFileSync(partial, gzipSync(buildCpio(entries), { level: 6 }));
    chmodSync(partial, 0o644);
    renameSync(partial, initrd);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { kernel, initrd };
}

export interface ReadyReport {
  filledMb: number;
  availableMb: number;
  totalMb: number;
  fillMs: number;
}

export interface DirtyingReport {
  /** The region after clamping to the filled memory. */
  dirtyMb: number;
  rate: number;
}

function keyValues(line: string): (key: string) => number {
  const values = new Map<string, number>();
  for (const match of line.matchAll(/(\w+)=(-?\d+)/g)) values.set(match[1] ?? '', Number(match[2]));
  return (key) => values.get(key) ?? Number.NaN;
}

/** Parses the workload's ready line; undefined when it is not one. */
export function parseReadyLine(line: string): ReadyReport | undefined {
  if (!line.startsWith(READY_LINE)) return undefined;
  const get = keyValues(line);
  return { filledMb: get('filled_mb'), availableMb: get('available_mb'), totalMb: get('total_mb'), fillMs: get('fill_ms') };
}

/** Parses the workload's acknowledgement of its dirty parameters; undefined when it is not one. */
export function parseDirtyingLine(line: string): DirtyingReport | undefined {
  if (!line.startsWith(DIRTYING_LINE)) return undefined;
  const get = keyValues(line);
  return { dirtyMb: get('dirty_mb'), rate: get('rate') };
}
