/** Versions worth recording in run.json before any migration has run. */
import { execFileSync } from 'node:child_process';
import { findGuestKernel } from './prereq.ts';

/** e.g. "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)", or undefined if QEMU is missing. */
export function qemuVersion(): string | undefined {
  try {
    const out = execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /version\s+(\S+(?:\s+\([^)]*\))?)/.exec(out);
    return match?.[1] ?? out.split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

/** The guest kernel file name, e.g. "vmlinuz-6.1.0-56-amd64". */
export function guestKernelName(): string | undefined {
  return findGuestKernel()?.split('/').at(-1);
}
