import { describe, expect, it } from 'vitest';
import { GUEST_RAM_PAD_BYTES, guestRamBytes } from '../../../harness/backends/qemu/guest-ram.ts';
import { qemuArgv } from '../../../harness/backends/qemu/vm.ts';

const PAGE = 4096;

describe('guest RAM size', () => {
  it('is never a multiple of 64 pages, so QEMU 7.2 syncs its dirty bitmap page by page (TLB reset included)', () => {
    for (const memoryMb of [96, 128, 256, 512, 2048]) {
      const bytes = guestRamBytes(memoryMb);
      expect(bytes % PAGE).toBe(0);
      expect(bytes % (64 * PAGE)).not.toBe(0);
      expect(bytes - memoryMb * 1024 * 1024).toBe(GUEST_RAM_PAD_BYTES);
    }
  });

  it('is a multiple of 8 KiB, the unit QEMU rounds -m to, so -m and the backend agree', () => {
    expect(GUEST_RAM_PAD_BYTES % 8192).toBe(0);
    const argv = qemuArgv({
      role: 'boot',
      accel: 'tcg',
      memoryMb: 128,
      image: { kernel: '/k', initrd: '/i' },
      sharedMemoryPath: undefined,
      qmpSocket: '/q',
      serialLog: '/s',
      controlSocket: '/c',
    });
    expect(argv[argv.indexOf('-m') + 1]).toBe('131080K');
    expect(argv.join(' ')).toContain('memory-backend-ram,id=ram0,size=131080K');
  });
});
