import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qemuArgv, type VmConfig } from '../../../../harness/backends/qemu/vm.ts';
import { INIT_SCRIPT_SOURCE } from '../../../../harness/backends/qemu/image.ts';
import {
  GUEST_HTTP_PORT,
  kernelRelease,
  MODULE_IN_IMAGE,
  NIC_MODEL,
  readNicModule,
  WEB_PAGE,
  WEB_READY_LINE,
  WEB_SCRIPT_PATH,
  WEB_SCRIPT_SOURCE,
} from '../../../../harness/backends/qemu/web/guest.ts';
import { guestNic } from '../../../../harness/backends/qemu/web/network.ts';

describe('web guest image', () => {
  it('reads the kernel release from the kernel file name', () => {
    expect(kernelRelease('/boot/vmlinuz-6.1.0-56-amd64')).toBe('6.1.0-56-amd64');
    expect(() => kernelRelease('/boot/bzImage')).toThrow(/cannot tell the kernel release/);
  });

  it("takes the e1000 module of exactly the guest kernel's release, and says what to install when it is missing", () => {
    const root = mkdtempSync(join(tmpdir(), 'vmbeam-modules-'));
    try {
      const dir = join(root, '6.1.0-56-amd64/kernel/drivers/net/ethernet/intel/e1000');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'e1000.ko'), 'ELF module');
      expect(readNicModule('/boot/vmlinuz-6.1.0-56-amd64', root).toString()).toBe('ELF module');
      expect(() => readNicModule('/boot/vmlinuz-6.1.0-57-amd64', root)).toThrow(/no e1000 module .*linux-image-amd64/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('ships the guest scripts as executable files that name what the harness expects', () => {
    const init = readFileSync(INIT_SCRIPT_SOURCE, 'utf8');
    const web = readFileSync(WEB_SCRIPT_SOURCE, 'utf8');
    for (const path of [INIT_SCRIPT_SOURCE, WEB_SCRIPT_SOURCE]) expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(init.split('\n')[0]).toBe('#!/bin/busybox sh');
    expect(init).toContain(`\n/${WEB_SCRIPT_PATH}\n/bin/workload\n`);
    expect(web).toContain(`/bin/busybox insmod /${MODULE_IN_IMAGE} || fail "insmod ${NIC_MODEL} failed"`);
    expect(web).toContain(`(is the NIC model ${NIC_MODEL}?)`);
    expect(web).toContain(`httpd -p ${GUEST_HTTP_PORT} -h /www`);
    expect(web).toContain(`echo "${WEB_READY_LINE} ip=$address port=${GUEST_HTTP_PORT}"`);
  });

  it('serves a one-line page (one body line per reply in httperf output)', () => {
    expect(WEB_PAGE.trimEnd()).not.toContain('\n');
    expect(WEB_PAGE.endsWith('\n')).toBe(true);
  });
});

describe('QEMU command line with the web NIC', () => {
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

  it('attaches an e1000 with a fixed MAC to the pre-made tap and gives the guest its address', () => {
    const argv = qemuArgv({ ...base, nic: guestNic() });
    expect(argv.join(' ')).toContain('-netdev tap,id=net0,ifname=tap0,script=no,downscript=no -device e1000,netdev=net0,mac=52:54:00:4d:42:0a');
    const append = argv[argv.indexOf('-append') + 1];
    expect(append).toContain('vmbeam.ip=10.77.0.10/24');
    expect(append).toContain('console=ttyS0');
  });

  it('gives Figs. 2-6 no NIC and no address', () => {
    const text = qemuArgv(base).join(' ');
    expect(text).not.toContain('-netdev');
    expect(text).not.toContain('vmbeam.ip=');
  });
});
