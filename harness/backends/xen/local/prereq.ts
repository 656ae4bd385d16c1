/**
 * Prerequisites of the local nested-Xen testbed: root, and the files its
 * Debian packages install. `checkLocalPrerequisites()` returns null when all
 * is present, or ONE line naming what is missing and what to do.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every Debian package the local testbed adds to the qemu testbed's; install-packages.sh installs these. */
export const XEN_LOCAL_PACKAGES = ['xen-hypervisor-4.17-amd64', 'xen-utils-4.17', 'dropbear-bin', 'cpio', 'socat'] as const;

export const XEN_IMAGE_GZ = '/boot/xen-4.17-amd64.gz';
export const XEN_TOOLS = '/usr/lib/xen-4.17/bin';

interface Requirement {
  readonly package: string;
  readonly path: string;
}

/** One file per package, each the thing the testbed uses from it. */
const REQUIREMENTS: readonly Requirement[] = [
  { package: 'qemu-system-x86', path: '/usr/bin/qemu-system-x86_64' },
  { package: 'busybox-static', path: '/bin/busybox' },
  { package: 'openssh-client', path: '/usr/bin/ssh' },
  { package: 'openssh-client', path: '/usr/bin/ssh-keygen' },
  { package: 'iproute2', path: '/usr/sbin/ip' },
  { package: 'gcc', path: '/usr/bin/gcc' },
  { package: 'xen-hypervisor-4.17-amd64', path: XEN_IMAGE_GZ },
  { package: 'xen-utils-4.17', path: join(XEN_TOOLS, 'xl') },
  { package: 'dropbear-bin', path: '/usr/sbin/dropbear' },
  { package: 'dropbear-bin', path: '/usr/bin/dropbearkey' },
  { package: 'cpio', path: '/usr/bin/cpio' },
  { package: 'socat', path: '/usr/bin/socat' },
];

/** The newest installed kernel with its modules: the guest Dom0's and the guest's kernel. */
export function findKernelVersion(): string | undefined {
  if (!existsSync('/boot') || !existsSync('/lib/modules')) return undefined;
  const modules = new Set(readdirSync('/lib/modules'));
  return readdirSync('/boot')
    .filter((name) => name.startsWith('vmlinuz-') && modules.has(name.slice('vmlinuz-'.length)))
    .map((name) => name.slice('vmlinuz-'.length))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .at(-1);
}

export function checkLocalPrerequisites(isRoot = process.getuid?.() === 0, exists: (path: string) => boolean = existsSync): string | null {
  if (!isRoot) {
    return 'the local xen testbed needs root (network namespaces, QEMU processes): run as root, or use --testbed FILE for a remote testbed';
  }
  const missing = [...new Set(REQUIREMENTS.filter((requirement) => !exists(requirement.path)).map((requirement) => requirement.package))];
  if (missing.length > 0) {
    return `the local xen testbed needs the Debian package${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: run npm run setup:xen (as root)`;
  }
  if (findKernelVersion() === undefined) return 'no kernel with modules in /boot and /lib/modules: run npm run setup:xen (installs linux-image-amd64)';
  return null;
}
