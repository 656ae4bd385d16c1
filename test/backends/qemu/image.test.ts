import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildCpio } from '../../../harness/backends/qemu/cpio.ts';
import { kernelCommandLine, parseReadyLine } from '../../../harness/backends/qemu/image.ts';
import { qemuArgv, type VmConfig } from '../../../harness/backends/qemu/vm.ts';

describe('cpio newc writer', () => {
  it('writes 4-byte aligned records with a trailer', () => {
    const archive = buildCpio([
      { kind: 'dir', path: '/bin' },
      { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    ]);
    expect(archive.length % 4).toBe(0);
    const text = archive.toString('latin1');
    expect(text.startsWith('070701')).toBe(true);
    expect(text).toContain('bin\0');
    expect(text).toContain('#!/bin/sh\n');
    expect(text.indexOf('TRAILER!!!')).toBeGreaterThan(text.indexOf('dev/console'));
    // The file record: mode 0100755 and size 10 in the header.
    const init = text.indexOf('init\0');
    const header = text.slice(init - 110 - 2, init);
    expect(header).toContain((0o100755).toString(16).padStart(8, '0'));
    expect(gunzipSync).toBeTypeOf('function');
  });
});

describe('guest command line and ready line', () => {
  it('passes the workload parameters on the kernel command line', () => {
    const line = kernelCommandLine({ dirtyRegionMb: 256, dirtyPagesPerS: 2000 });
    expect(line).toContain('console=ttyS0');
    expect(line).toContain('vmbeam.dirty_mb=256');
    expect(line).toContain('vmbeam.rate=2000');
  });

  it('parses the ready line', () => {
    expect(
      parseReadyLine('VMBEAM-READY filled_mb=415 available_mb=428 total_mb=457 fill_ms=212 dirty_mb=256 rate=8000'),
    ).toEqual({ filledMb: 415, availableMb: 428, totalMb: 457, fillMs: 212, dirtyMb: 256, rate: 8000 });
    expect(parseReadyLine('Run /init as init process')).toBeUndefined();
  });
});

describe('QEMU command line', () => {
  const base: VmConfig = {
    accel: 'tcg',
    memoryMb: 256,
    image: { kernel: '/boot/vmlinuz', initrd: '/cache/initramfs.cpio.gz' },
    workload: { dirtyRegionMb: 0, dirtyPagesPerS: 0 },
    sharedMemoryPath: undefined,
    qmpSocket: '/run/x/qmp.sock',
    serialLog: '/run/x/serial.log',
    incoming: false,
  };

  it('backs zero-copy RAM by a shared file used as the machine memory backend', () => {
    const argv = qemuArgv({ ...base, sharedMemoryPath: '/dev/shm/vmbeam-1-1', incoming: true }).join(' ');
    expect(argv).toContain('memory-backend-file,id=mem,size=256M,mem-path=/dev/shm/vmbeam-1-1,share=on');
    expect(argv).toContain('-machine pc,memory-backend=mem');
    expect(argv).toContain('-incoming defer');
  });

  it('uses anonymous RAM for pre-copy and no -incoming on the source', () => {
    const argv = qemuArgv(base).join(' ');
    expect(argv).not.toContain('memory-backend');
    expect(argv).not.toContain('-incoming');
    expect(argv).toContain('-accel tcg');
    expect(argv).toContain('unix:/run/x/qmp.sock,server=on,wait=off');
  });
});
