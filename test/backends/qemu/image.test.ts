import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildCpio } from '../../../harness/backends/qemu/cpio.ts';
import { controlCommand, parseDirtyingLine, parseReadyLine } from '../../../harness/backends/qemu/image.ts';
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

describe('workload control and console lines', () => {
  it('sends whole pages per second and megabytes as one line', () => {
    expect(controlCommand({ dirtyRegionMb: 256, dirtyPagesPerS: 2000 })).toBe('dirty 256 2000\n');
    expect(controlCommand({ dirtyRegionMb: 0, dirtyPagesPerS: 0 })).toBe('dirty 0 0\n');
    expect(controlCommand({ dirtyRegionMb: 12.6, dirtyPagesPerS: -3 })).toBe('dirty 13 0\n');
  });

  it('parses the ready line', () => {
    expect(parseReadyLine('VMBEAM-READY filled_mb=415 available_mb=428 total_mb=457 fill_ms=212')).toEqual({
      filledMb: 415,
      availableMb: 428,
      totalMb: 457,
      fillMs: 212,
    });
    expect(parseReadyLine('Run /init as init process')).toBeUndefined();
  });

  it('parses the acknowledgement of the dirty parameters', () => {
    expect(parseDirtyingLine('VMBEAM-DIRTYING dirty_mb=256 rate=8000')).toEqual({ dirtyMb: 256, rate: 8000 });
    expect(parseDirtyingLine('VMBEAM-READY filled_mb=415')).toBeUndefined();
  });
});

describe('QEMU command line', () => {
  const base: VmConfig = {
    role: 'boot',
    accel: 'tcg',
    memoryMb: 256,
    image: { kernel: '/boot/vmlinuz', initrd: '/cache/initramfs.cpio.gz' },
    sharedMemoryPath: undefined,
    qmpSocket: '/run/x/qmp.sock',
    serialLog: '/run/x/serial.log',
    controlSocket: '/run/x/control.sock',
  };

  it('backs zero-copy RAM by a shared file used as the machine memory backend', () => {
    const argv = qemuArgv({ ...base, sharedMemoryPath: '/dev/shm/vmbeam-1-1', role: 'destination' }).join(' ');
    expect(argv).toContain('memory-backend-file,id=ram0,size=262152K,mem-path=/dev/shm/vmbeam-1-1,share=on');
    expect(argv).toContain('-machine pc,memory-backend=ram0');
    expect(argv).toContain('-incoming defer');
  });

  it('gives pre-copy anonymous RAM under the same block name, so one saved state loads into both', () => {
    const argv = qemuArgv(base).join(' ');
    expect(argv).toContain('memory-backend-ram,id=ram0,size=262152K');
    expect(argv).toContain('-machine pc,memory-backend=ram0');
    expect(argv).not.toContain('-incoming');
    expect(argv).toContain('-accel tcg');
    expect(argv).toContain('unix:/run/x/qmp.sock,server=on,wait=off');
  });

  it('starts sources (to restore a saved guest) and destinations waiting for -incoming', () => {
    expect(qemuArgv({ ...base, role: 'source' }).join(' ')).toContain('-incoming defer');
  });

  it('gives every role the same devices: console and control port', () => {
    const devices = (role: VmConfig['role']): string[] =>
      qemuArgv({ ...base, role }).filter((arg) => arg.startsWith('chardev:'));
    expect(devices('boot')).toEqual(['chardev:serial0', 'chardev:control']);
    expect(devices('source')).toEqual(devices('boot'));
    expect(devices('destination')).toEqual(devices('boot'));
    expect(qemuArgv(base).join(' ')).toContain('socket,id=control,path=/run/x/control.sock,server=on,wait=off');
  });
});
