/**
 * vitest globalSetup: says once, before any test runs, which groups of
 * tests will skip on this machine and why (vitest's summary only counts
 * them). The groups: the qemu testbed (root and Debian packages) and the
 * Chromium page check.
 */
import { existsSync } from 'node:fs';
import { checkPrerequisites } from '../harness/backends/qemu/prereq.ts';

export default function setup(): void {
  const reasons: string[] = [];
  const qemu = checkPrerequisites();
  if (qemu !== null) reasons.push(`the qemu testbed tests (real migrations, the qemu cli runs, calibrating the testbed) skip: ${qemu}`);
  if (!existsSync('/usr/bin/chromium') && process.env['CI'] === undefined) reasons.push('the index.html browser tests skip: no /usr/bin/chromium (apt-get install chromium)');
  for (const reason of reasons) console.warn(`note: ${reason}`);
}
