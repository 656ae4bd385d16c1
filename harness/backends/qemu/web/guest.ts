/**
 * What the Fig. 7 guest adds to the shared image: the e1000 driver (Debian
 * builds every NIC driver as a module, and the initramfs has no
 * /lib/modules), a start script that brings the NIC up and starts busybox
 * httpd, and the static page it serves. The script does nothing unless the
 * kernel command line carries `vmbeam.ip=`, so Figs. 2-6 boot exactly as
 * before. Also the pure QEMU and kernel arguments of the guest's NIC.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpioEntry } from '../cpio.ts';

/** Printed by the start script once httpd listens; the guest's other output is in image.ts. */
export const WEB_READY_LINE = 'VMBEAM-WEB';

export const WEB_SCRIPT_PATH = 'bin/vmbeam-web';
export const GUEST_HTTP_PORT = 80;
/** The page httperf asks for. One line, so that `--print-reply=body` prints one body line per reply. */
export const WEB_PAGE_URI = '/index.html';
export const WEB_PAGE =
  '<!doctype html><html><head><title>VMBeam guest</title></head>' +
  '<body><h1>VMBeam guest</h1><p>A small static page served by busybox httpd while the guest migrates.</p></body></html>\n';

/** e1000: one module without dependencies, which QEMU emulates on every machine type. */
export const NIC_MODEL = 'e1000';
const NIC_MODULE_IN_TREE = 'kernel/drivers/net/ethernet/intel/e1000/e1000.ko';
export const MODULE_IN_IMAGE = 'lib/modules/e1000.ko';

/**
 * The start script (a real script in ../guest/, run by /init). It names
 * WEB_READY_LINE, NIC_MODEL, MODULE_IN_IMAGE and GUEST_HTTP_PORT literally;
 * test/backends/qemu/web/guest.test.ts keeps them in step with these constants.
 */
export const WEB_SCRIPT_SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'guest', 'vmbeam-web.sh');

/** The guest kernel's release ("6.1.0-56-amd64") from its file name (/boot/vmlinuz-6.1.0-56-amd64). */
export function kernelRelease(kernelPath: string): string {
  const name = basename(kernelPath);
  if (!name.startsWith('vmlinuz-') || name.length === 'vmlinuz-'.length) {
    throw new Error(`cannot tell the kernel release from ${kernelPath} (expected /boot/vmlinuz-RELEASE)`);
  }
  return name.slice('vmlinuz-'.length);
}

/**
 * The e1000 module of the guest kernel, uncompressed. Debian 12 ships plain
 * .ko files; newer kernels ship .ko.xz, which busybox insmod cannot read.
 */
export function readNicModule(kernelPath: string, modulesRoot = '/lib/modules'): Buffer {
  const base = join(modulesRoot, kernelRelease(kernelPath), NIC_MODULE_IN_TREE);
  if (existsSync(base)) return readFileSync(base);
  if (existsSync(`${base}.xz`)) {
    try {
      return execFileSync('xz', ['-dc', `${base}.xz`], { maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      throw new Error(`could not decompress ${base}.xz (install xz-utils): ${String(error)}`);
    }
  }
  throw new Error(`the guest kernel has no ${NIC_MODEL} module at ${base}: install the Debian package linux-image-amd64 matching ${kernelPath}`);
}

/** Initramfs entries of the web guest (directories first, as cpio needs them before their files). */
export function webImageEntries(kernelPath: string): CpioEntry[] {
  return [
    { kind: 'dir', path: 'lib' },
    { kind: 'dir', path: 'lib/modules' },
    { kind: 'file', path: MODULE_IN_IMAGE, data: readNicModule(kernelPath), mode: 0o644 },
    { kind: 'dir', path: 'www' },
    { kind: 'file', path: `www${WEB_PAGE_URI}`, data: Buffer.from(WEB_PAGE), mode: 0o644 },
    { kind: 'file', path: WEB_SCRIPT_PATH, data: readFileSync(WEB_SCRIPT_SOURCE), mode: 0o755 },
  ];
}

/** The guest's NIC: a tap device of the namespace QEMU runs in, and a MAC that moves with the guest. */
export interface GuestNic {
  tap: string;
  mac: string;
  /** ADDRESS/PREFIX the guest configures on eth0. */
  address: string;
}

export function nicArgv(nic: GuestNic): string[] {
  return [
    // script=no: the harness created, bridged and raised the tap already (web/network.ts).
    '-netdev', `tap,id=net0,ifname=${nic.tap},script=no,downscript=no`,
    '-device', `${NIC_MODEL},netdev=net0,mac=${nic.mac}`,
  ];
}

export function nicKernelArgs(nic: GuestNic): string[] {
  return [`vmbeam.ip=${nic.address}`];
}
