/**
 * What a testbed of this test process could leave behind: namespaces,
 * /dev/shm files, private directories, QEMU/sshd/ssh processes and
 * registered teardowns. `keep` names what the caller still holds on purpose
 * (a guest state store and how many teardowns it registered).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { activeTestbeds } from '../../../harness/backends/qemu/cleanup.ts';
import { listNamespaces } from '../../../harness/backends/qemu/links.ts';
import { processTree } from '../../../harness/backends/qemu/sampler.ts';

export function leftovers(keep: { savedGuests: boolean; registered: number }): string[] {
  const found: string[] = [];
  found.push(...listNamespaces().filter((ns) => ns.startsWith(`vmb${process.pid}r`)).map((ns) => `netns ${ns}`));
  found.push(
    ...readdirSync('/dev/shm')
      .filter((f) => f.startsWith(`vmbeam-${process.pid}-`))
      .filter((f) => !keep.savedGuests || !f.includes('-template-'))
      .map((f) => `/dev/shm/${f}`),
  );
  const stateDir = `vmbeam-qemu-${process.pid}-states-`;
  found.push(
    ...readdirSync(tmpdir())
      .filter((f) => f.startsWith(`vmbeam-qemu-${process.pid}-`))
      .filter((f) => !keep.savedGuests || !f.startsWith(stateDir))
      .map((f) => `${tmpdir()}/${f}`),
  );
  for (const pid of processTree(process.pid)) {
    if (pid === process.pid) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (/qemu|sshd|^ssh$|^node$|unshare/.test(comm)) found.push(`process ${pid} ${comm}`);
    } catch {
      // exited meanwhile
    }
  }
  const registered = activeTestbeds() - keep.registered;
  if (registered > 0) found.push(`${registered} registered testbed(s)`);
  return found;
}
