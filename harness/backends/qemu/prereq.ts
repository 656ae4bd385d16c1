/**
 * Prerequisites of the QEMU testbed: root, and the Debian packages it runs.
 * `checkPrerequisites()` returns null when all is present, or ONE line naming
 * what is missing and what to do; it never throws.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Every Debian package the testbed needs; install-packages.sh installs exactly these. */
export const DEBIAN_PACKAGES = [
  'qemu-system-x86',
  'busybox-static',
  'linux-image-amd64',
  'openssh-server',
  'openssh-client',
  'iproute2',
  'gcc',
  'libc6-dev',
  'httperf',
] as const;

export type DebianPackage = (typeof DEBIAN_PACKAGES)[number];

interface Requirement {
  package: DebianPackage;
  what: string;
  present: () => boolean;
}

export function findOnPath(program: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The newest /boot/vmlinuz-* (Debian's linux-image-amd64), or undefined. */
export function findGuestKernel(): string | undefined {
  if (!existsSync('/boot')) return undefined;
  const kernels = readdirSync('/boot')
    .filter((name) => name.startsWith('vmlinuz-'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = kernels.at(-1);
  return newest === undefined ? undefined : join('/boot', newest);
}

export const BUSYBOX_PATH = '/bin/busybox';

/** busybox-static's binary has no ELF interpreter; the dynamic `busybox` package's has. */
export function isStaticBusybox(path = BUSYBOX_PATH): boolean {
  if (!existsSync(path)) return false;
  const head = readFileSync(path).subarray(0, 4096).toString('latin1');
  return !head.includes('/lib64/ld-linux') && !head.includes('/lib/ld-linux');
}

const REQUIREMENTS: readonly Requirement[] = [
  { package: 'qemu-system-x86', what: 'qemu-system-x86_64', present: () => findOnPath('qemu-system-x86_64') !== undefined },
  { package: 'busybox-static', what: 'a static /bin/busybox', present: () => isStaticBusybox() },
  { package: 'linux-image-amd64', what: 'a guest kernel /boot/vmlinuz-*', present: () => findGuestKernel() !== undefined },
  { package: 'openssh-server', what: 'sshd', present: () => existsSync('/usr/sbin/sshd') },
  { package: 'openssh-client', what: 'ssh and ssh-keygen', present: () => findOnPath('ssh') !== undefined && findOnPath('ssh-keygen') !== undefined },
  { package: 'iproute2', what: 'ip and tc', present: () => findOnPath('ip') !== undefined && findOnPath('tc') !== undefined },
  { package: 'gcc', what: 'gcc (to build the guest workload)', present: () => findOnPath('gcc') !== undefined },
  {
    package: 'libc6-dev',
    what: 'the static C library libc.a',
    present: () =>
      ['/usr/lib/x86_64-linux-gnu/libc.a', '/usr/lib/libc.a', '/usr/lib64/libc.a'].some((path) => existsSync(path)),
  },
  { package: 'httperf', what: 'httperf (the Fig. 7 web client)', present: () => findOnPath('httperf') !== undefined },
];

/**
 * Null when the testbed can run; otherwise one line such as
 * "qemu backend needs root (network namespaces, tc): run as root or with sudo".
 */
export function checkPrerequisites(): string | null {
  if (process.platform !== 'linux') return 'qemu backend needs Linux (network namespaces, /dev/shm, /proc)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'qemu backend needs root (network namespaces, veth, tc): run as root or with sudo';
  }
  const missing = REQUIREMENTS.filter((requirement) => !requirement.present());
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((requirement) => requirement.package))];
  return (
    `qemu backend is missing ${missing.map((requirement) => requirement.what).join(', ')}: ` +
    `install the Debian package${packages.length > 1 ? 's' : ''} ${packages.join(' ')} ` +
    `(harness/backends/qemu/install-packages.sh)`
  );
}
