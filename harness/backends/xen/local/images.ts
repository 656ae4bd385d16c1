/**
 * The local testbed's images (Xen's multiboot ELF, the guest Dom0's and the
 * guest's initramfs), built by build-images.sh from installed packages and
 * cached under a key of the package versions, the kernel and the build's
 * own sources: upgrading a package or editing the build rebuilds them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { XEN_LOCAL_PACKAGES } from './prereq.ts';

const HERE = import.meta.dirname;
/** Everything the images are built from besides the packages. */
const SOURCES = ['build-images.sh', 'dom0-init.sh', 'guest/workload.c', 'guest/vmbeam.cfg'];
const PACKAGES = [...XEN_LOCAL_PACKAGES, 'busybox-static', 'openssh-client', 'iproute2', 'coreutils', 'libc6', 'dash'];

export interface LocalImages {
  readonly dir: string;
  /** Xen as a multiboot ELF, for QEMU's -kernel. */
  readonly xen: string;
  readonly dom0Kernel: string;
  readonly dom0Initramfs: string;
  readonly kernelVersion: string;
  /** Whether this call built them (false: taken from the cache). */
  readonly built: boolean;
  readonly buildS: number;
}

export const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'vmbeam-harness', 'xen-local');

/** The cache key: package versions, kernel and build sources, hashed. */
export function imageKey(packageVersions: string, kernelVersion: string, sources: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(packageVersions).update('\0').update(kernelVersion);
  for (const source of sources) hash.update('\0').update(source);
  return hash.digest('hex').slice(0, 16);
}

function packageVersions(): string {
  // dpkg-query exits 1 when a package is missing but still prints the others.
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\n', ...PACKAGES], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    return String((error as { stdout?: unknown }).stdout ?? '');
  }
}

export function ensureImages(kernelVersion: string, cacheDir = DEFAULT_CACHE_DIR): LocalImages {
  const sources = SOURCES.map((name) => readFileSync(join(HERE, name), 'utf8'));
  const dir = join(cacheDir, imageKey(packageVersions(), kernelVersion, sources));
  const images = (built: boolean, buildS: number): LocalImages => ({
    dir,
    xen: join(dir, 'xen'),
    dom0Kernel: `/boot/vmlinuz-${kernelVersion}`,
    dom0Initramfs: join(dir, 'dom0.cpio'),
    kernelVersion,
    built,
    buildS,
  });
  if (existsSync(join(dir, 'dom0.cpio')) && existsSync(join(dir, 'xen'))) return images(false, 0);
  // Built beside the cache entry and renamed into place, so an interrupted
  // build never leaves a half-written entry that looks complete.
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = performance.now();
  try {
    execFileSync('sh', [join(HERE, 'build-images.sh'), staging, kernelVersion], { stdio: ['ignore', 'pipe', 'pipe'] });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').at(-1) ?? '';
    throw new Error(`building the local xen testbed's images failed (${stderr || String(error)}); run npm run setup:xen`);
  }
  return images(true, (performance.now() - started) / 1000);
}
