import { describe, expect, it } from 'vitest';
import { parseSideView } from '../../../harness/backends/qemu/auto.ts';
import { hiddenShmArgv, netnsArgv } from '../../../harness/backends/qemu/procs.ts';

const BOOT_ID = 'a4fe3e6e-be39-48fa-8d56-49b1c54064ef';

describe("a side's view of where it runs", () => {
  it('reads the boot id and the identity of the guest-RAM file it could open', () => {
    expect(parseSideView(`${BOOT_ID}\n39:1234\n`)).toEqual({ bootId: BOOT_ID, memoryFile: '39:1234' });
  });

  it('says so when the file cannot be opened there', () => {
    expect(parseSideView(`${BOOT_ID}\nunreachable\n`)).toEqual({ bootId: BOOT_ID, memoryFile: undefined });
  });

  it('refuses output that is neither', () => {
    expect(() => parseSideView('cat: /proc/sys/kernel/random/boot_id: No such file')).toThrow(/^no kernel boot id in: cat:/);
    expect(() => parseSideView(`${BOOT_ID}\n`)).toThrow(/no answer about the guest's memory file/);
    expect(() => parseSideView(`${BOOT_ID}\nstat: cannot stat\n`)).toThrow(/no answer about the guest's memory file/);
  });
});

describe('a destination that cannot see the shared memory', () => {
  it('runs its program in a private mount namespace over an empty /dev/shm, in place (the pid is the program\'s)', () => {
    const argv = netnsArgv('vmb1r1d', hiddenShmArgv(['qemu-system-x86_64', '-m', '128M']));
    expect(argv.slice(0, 4)).toEqual(['ip', 'netns', 'exec', 'vmb1r1d']);
    expect(argv.slice(4, 8)).toEqual(['unshare', '--mount', '--propagation', 'private']);
    const script = argv[argv.indexOf('-c') + 1] ?? '';
    expect(script).toMatch(/^mount -t tmpfs .* \/dev\/shm && exec "\$@"$/);
    expect(argv.slice(-3)).toEqual(['qemu-system-x86_64', '-m', '128M']);
  });
});
