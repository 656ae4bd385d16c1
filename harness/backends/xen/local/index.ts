/**
 * `--backend xen --testbed local`: builds the images, boots two cloud VMs
 * (QEMU TCG → Xen 4.17 → Dom0) side by side in a private network namespace,
 * describes them in the same testbed schema as a user's file, and hands
 * that to the same XenBackend that drives a remote testbed. The host plays
 * the cloud Dom0: CPU is read from the two QEMUs' /proc.
 *
 * Each cloud VM has two links to the other, one per system (e1000 for
 * Xen-Nest, virtio-net for the Xen-Blanket stand-in), so one boot serves
 * every system, and a management NIC (user-mode, ssh forwarded to the
 * namespace's loopback) that the harness's own ssh sessions use, so they
 * never show in the links' byte counters.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XenBackend, type XenOptions } from '../backend.ts';
import { parseTestbed } from '../testbed.ts';
import { startCloudVm, waitForDom0, type CloudVm, type CloudVmSpec, type LinkNic } from './cloud-vm.ts';
import { destroyNamespace, NAMESPACE_PREFIX, registerTeardown, sweepLeftovers } from './cleanup.ts';
import { ensureImages, type LocalImages } from './images.ts';
import { checkLocalPrerequisites, findKernelVersion } from './prereq.ts';
import { procCpuSource } from './proc-cpu.ts';

export { installSignalCleanup } from './cleanup.ts';

/** A missing package or no root: one line, exit 2, nothing started. */
export class LocalPrerequisiteError extends Error {}

export const LOCAL_TESTBED = 'local';

/** Sizes for this machine (2 cores, TCG): a Dom0 of 384 MB holds xl's unpacking of the guest kernel; the rest holds a 256 MB guest. */
export const CLOUD_VM_MEMORY_MB = 1024;
export const DOM0_MEMORY_MB = 384;
const BOOT_TIMEOUT_MS = 240_000;
const GUEST_NAME = 'vmbeam';
const CONSOLE_LOG = `/var/log/xen/console/guest-${GUEST_NAME}.log`;

interface Link {
  readonly system: 'xen-nest' | 'xen-blanket';
  readonly nic: LinkNic['model'];
  readonly port: number;
  readonly subnet: string;
}

/** One link per system: the emulated NIC (Xen-Nest) and the paravirtual one (the Xen-Blanket stand-in). */
const LINKS: readonly Link[] = [
  { system: 'xen-nest', nic: 'e1000', port: 17001, subnet: '10.77.1' },
  { system: 'xen-blanket', nic: 'virtio-net-pci', port: 17002, subnet: '10.77.2' },
];
const SSH_PORTS = { a: 2201, b: 2202 } as const;
const linkName = (link: Link) => (link.system === 'xen-nest' ? 'nest0' : 'blanket0');
const peerName = (link: Link) => `cvm-b-${linkName(link).replace(/0$/, '')}`;

/** The testbed file the local testbed would be, as JSON: it goes through parseTestbed like a user's. */
export function localTestbedJson(sshConfig: string): Record<string, unknown> {
  const systems: Record<string, unknown> = {};
  for (const link of LINKS) {
    const common = { destination: peerName(link), interface: linkName(link) };
    // aes128-ctr: the default cipher of the paper's OpenSSH generation.
    systems[link.system] = { ...common, sshCipher: 'aes128-ctr' };
    systems[`${link.system}-nocipher`] = { ...common, sshCommand: 'vmbeam-plain' };
  }
  return {
    source: { host: 'root@cvm-a' },
    destination: { host: 'root@cvm-b' },
    guest: {
      name: GUEST_NAME,
      config: '/guest/vmbeam.cfg',
      kernelWorkload: { extra: 'console=hvc0 rdinit=/init quiet', consoleLog: CONSOLE_LOG },
    },
    ssh: { options: ['-F', sshConfig] },
    interface: 'nest0',
    xlVerbosity: '-vvv',
    systems,
  };
}

function cloudVmSpec(role: 'a' | 'b', images: LocalImages, runDir: string, initramfs: string): CloudVmSpec {
  const octet = role === 'a' ? 1 : 2;
  return {
    name: `cvm-${role}`,
    xen: images.xen,
    dom0Kernel: images.dom0Kernel,
    dom0Initramfs: initramfs,
    memoryMb: CLOUD_VM_MEMORY_MB,
    dom0MemoryMb: DOM0_MEMORY_MB,
    links: LINKS.map((link, index) => ({
      name: linkName(link),
      model: link.nic,
      mac: `52:54:00:77:0${index + 1}:0${octet}`,
      address: `${link.subnet}.${octet}/24`,
      // B listens, A connects: B is started first.
      socket: role === 'b' ? { listen: link.port } : { connect: link.port },
    })),
    sshPort: SSH_PORTS[role],
    mgmtMac: `52:54:00:77:00:0${octet}`,
    hosts: LINKS.flatMap((link) => [
      { name: `cvm-a-${linkName(link).replace(/0$/, '')}`, address: `${link.subnet}.1` },
      { name: peerName(link), address: `${link.subnet}.2` },
    ]),
    serialPath: join(runDir, `cvm-${role}.serial`),
  };
}

/** Keys of this run only, appended to the cached Dom0 image as a second cpio archive (the kernel unpacks both). */
function writeRunInitramfs(runDir: string, images: LocalImages): string {
  const root = join(runDir, 'keys-root');
  mkdirSync(join(root, 'root', '.ssh'), { recursive: true });
  mkdirSync(join(root, 'etc', 'dropbear'), { recursive: true });
  const key = join(root, 'root', '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vmbeam-xen-local', '-f', key], { stdio: 'ignore' });
  execFileSync('dropbearkey', ['-t', 'ed25519', '-f', join(root, 'etc', 'dropbear', 'dropbear_ed25519_host_key')], { stdio: 'ignore' });
  writeFileSync(join(root, 'root', '.ssh', 'authorized_keys'), readFileSync(`${key}.pub`));
  // xl migrate's own ssh hop, from one Dom0 to the other.
  writeFileSync(
    join(root, 'root', '.ssh', 'config'),
    'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n',
  );
  const keys = execFileSync('sh', ['-c', 'find . | LC_ALL=C sort | cpio -o -H newc --quiet'], { cwd: root, maxBuffer: 1 << 24 });
  const combined = join(runDir, 'dom0.cpio');
  writeFileSync(combined, Buffer.concat([readFileSync(images.dom0Initramfs), keys]));
  // The harness's ssh uses the same key from the host.
  writeFileSync(join(runDir, 'id_ed25519'), readFileSync(key), { mode: 0o600 });
  chmodSync(join(runDir, 'id_ed25519'), 0o600);
  rmSync(root, { recursive: true, force: true });
  return combined;
}

function writeSshConfig(runDir: string, namespace: string): string {
  const path = join(runDir, 'ssh_config');
  const block = (names: string, port: number) =>
    [
      `Host ${names}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  ProxyCommand ip netns exec ${namespace} /bin/busybox nc %h %p`,
      '  User root',
      `  IdentityFile ${join(runDir, 'id_ed25519')}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '  BatchMode yes',
      '  ConnectTimeout 30',
      '',
    ].join('\n');
  writeFileSync(path, block('cvm-a', SSH_PORTS.a) + block(['cvm-b', ...LINKS.map(peerName)].join(' '), SSH_PORTS.b));
  return path;
}

export interface LocalStart {
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  readonly options?: Partial<XenOptions>;
}

export async function startLocalTestbed(start: LocalStart): Promise<XenBackend> {
  const problem = checkLocalPrerequisites();
  if (problem !== null) throw new LocalPrerequisiteError(problem);
  sweepLeftovers();
  const images = ensureImages(findKernelVersion()!);
  start.log(images.built ? `built the testbed's images in ${images.buildS.toFixed(1)} s (${images.dir})` : `images from the cache (${images.dir})`);

  const namespace = `${NAMESPACE_PREFIX}${process.pid}`;
  const runDir = mkdtempSync(join(tmpdir(), `vmbeam-xen-${process.pid}-`));
  const vms: CloudVm[] = [];
  let torn = false;
  const teardown = (): void => {
    if (torn) return;
    torn = true;
    for (const vm of vms) vm.kill();
    destroyNamespace(namespace);
    rmSync(runDir, { recursive: true, force: true });
  };
  const unregister = registerTeardown(teardown);
  const close = async (): Promise<void> => {
    unregister();
    teardown();
  };
  try {
    const initramfs = writeRunInitramfs(runDir, images);
    const sshConfig = writeSshConfig(runDir, namespace);
    execFileSync('ip', ['netns', 'add', namespace], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const bootStarted = performance.now();
    const b = startCloudVm(cloudVmSpec('b', images, runDir, initramfs), namespace);
    vms.push(b);
    await waitForListening(b, LINKS.map((link) => link.port), start.signal);
    const a = startCloudVm(cloudVmSpec('a', images, runDir, initramfs), namespace);
    vms.push(a);
    const [bootA, bootB] = await Promise.all([waitForDom0(a, BOOT_TIMEOUT_MS, start.signal), waitForDom0(b, BOOT_TIMEOUT_MS, start.signal)]);
    const bootS = (performance.now() - bootStarted) / 1000;
    start.log(`booted two cloud VMs (QEMU TCG, Xen 4.17, Dom0) in ${bootS.toFixed(1)} s (Dom0 ready ${bootA.toFixed(1)} s / ${bootB.toFixed(1)} s after their QEMU started)`);
    const testbed = parseTestbed(JSON.stringify(localTestbedJson(sshConfig)), 'local testbed');
    const qemuPids = [a.pid, b.pid];
    return await XenBackend.fromTestbed(
      testbed,
      // VMBEAM_XEN_TRANSCRIPTS=<dir> keeps every migration's xl output (how test/fixtures/xen's 4.17 transcripts were taken).
      { bootTimeoutS: 240, commandTimeoutS: 120, migrationTimeoutS: 900, transcriptDir: process.env['VMBEAM_XEN_TRANSCRIPTS'], ...start.options },
      {
        cpu: procCpuSource(qemuPids),
        describe: () => ({
          testbed: LOCAL_TESTBED,
          layout: 'host Linux (cloud Dom0) -> 2 x QEMU TCG cloud VMs -> Xen 4.17 -> PV Dom0 -> PVH guest',
          cloudVm: { memoryMb: CLOUD_VM_MEMORY_MB, vcpus: 1, cpu: 'qemu64,+svm,+npt', accel: 'tcg' },
          dom0MemoryMb: DOM0_MEMORY_MB,
          guestType: 'pvh',
          nicModels: Object.fromEntries(LINKS.map((link) => [link.system, link.nic])),
          nocipher: 'xl migrate -s vmbeam-plain: the stream over plain TCP (socat), no ssh',
          dom0Kernel: images.kernelVersion,
          images: images.dir,
          bootS,
          qemuVersion: qemuVersion(),
        }),
        close,
      },
    );
  } catch (error) {
    await close();
    throw error;
  }
}

/** QEMU B must listen on the link ports before A connects to them. */
async function waitForListening(vm: CloudVm, ports: readonly number[], signal: AbortSignal): Promise<void> {
  const wanted = ports.map((port) => `:${port.toString(16).toUpperCase().padStart(4, '0')}`);
  for (let tries = 0; tries < 150; tries++) {
    signal.throwIfAborted();
    if (vm.exited()) throw new Error(`cloud VM ${vm.name}: QEMU exited at start (${vm.stderr().split('\n').at(-1) ?? 'no message'})`);
    let table = '';
    try {
      table = readFileSync(`/proc/${vm.pid}/net/tcp`, 'utf8');
    } catch {
      // not up yet
    }
    // State 0A is LISTEN; /proc/<pid>/net/tcp shows the namespace QEMU runs in.
    const listening = table.split('\n').filter((line) => line.trim().split(/\s+/)[3] === '0A').map((line) => line.trim().split(/\s+/)[1] ?? '');
    if (wanted.every((port) => listening.some((local) => local.endsWith(port)))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cloud VM ${vm.name}: QEMU did not open its link sockets within 15 s`);
}

function qemuVersion(): string | undefined {
  try {
    return execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}
