/**
 * One cloud VM of the local testbed: QEMU (TCG) playing the cloud
 * hypervisor's guest, booting Xen 4.17 with a PV Dom0 (the guest
 * hypervisor and guest Dom0). `qemuArgs` is pure; `startCloudVm` runs it
 * inside the testbed's network namespace.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export type NicModel = 'e1000' | 'virtio-net-pci';

/** A NIC on a link between the two cloud VMs: a QEMU socket netdev on the namespace's loopback. */
export interface LinkNic {
  /** The name the Dom0 gives it (dom0-init.sh renames NICs by MAC). */
  readonly name: string;
  readonly model: NicModel;
  readonly mac: string;
  /** address/prefix in the Dom0, e.g. 10.77.1.1/24. */
  readonly address: string;
  readonly socket: { readonly listen: number } | { readonly connect: number };
}

export interface CloudVmSpec {
  readonly name: string;
  readonly xen: string;
  readonly dom0Kernel: string;
  readonly dom0Initramfs: string;
  readonly memoryMb: number;
  readonly dom0MemoryMb: number;
  readonly links: readonly LinkNic[];
  /** Host loopback port (in the namespace) forwarded to the Dom0's sshd over a user-mode NIC. */
  readonly sshPort: number;
  readonly mgmtMac: string;
  /** /etc/hosts entries in the Dom0. */
  readonly hosts: readonly { readonly name: string; readonly address: string }[];
  readonly serialPath: string;
}

/** Xen needs NPT to give a PVH guest HAP (log-dirty) under TCG; +svm exposes it. */
export const CLOUD_VM_CPU = 'qemu64,+svm,+npt';
/** The slirp address of every cloud VM's management NIC (dom0-init.sh routes via 10.0.2.2). */
export const MGMT_ADDRESS = '10.0.2.15/24';

const compactMac = (mac: string) => mac.replaceAll(':', '');

/** The Dom0's kernel command line: no ',' (QEMU splits multiboot modules on it) and no ':'. */
export function dom0CommandLine(spec: CloudVmSpec): string {
  const nics = [...spec.links.map((link) => ({ name: link.name, mac: link.mac, address: link.address })), { name: 'mgmt0', mac: spec.mgmtMac, address: MGMT_ADDRESS }];
  return [
    'console=hvc0',
    'earlyprintk=xen',
    'loglevel=4',
    ...nics.map((nic) => `vmbeam.nic=${nic.name}/${compactMac(nic.mac)}/${nic.address.replace('/', '+')}`),
    ...spec.hosts.map((host) => `vmbeam.host=${host.name}/${host.address}`),
  ].join(' ');
}

export function qemuArgs(spec: CloudVmSpec): string[] {
  const xenArgs = `console=com1 com1=115200,8n1 dom0_mem=${spec.dom0MemoryMb}M,max:${spec.dom0MemoryMb}M dom0_max_vcpus=1 noreboot`;
  const args = [
    '-accel', 'tcg',
    '-machine', 'pc',
    '-cpu', CLOUD_VM_CPU,
    '-m', String(spec.memoryMb),
    '-smp', '1',
    '-display', 'none',
    '-monitor', 'none',
    '-nodefaults',
    '-no-reboot',
    '-serial', `file:${spec.serialPath}`,
    '-kernel', spec.xen,
    '-append', xenArgs,
    '-initrd', `${spec.dom0Kernel} ${dom0CommandLine(spec)},${spec.dom0Initramfs}`,
  ];
  spec.links.forEach((link, index) => {
    const id = `link${index}`;
    const socket = 'listen' in link.socket ? `listen=127.0.0.1:${link.socket.listen}` : `connect=127.0.0.1:${link.socket.connect}`;
    args.push('-netdev', `socket,id=${id},${socket}`, '-device', `${link.model},netdev=${id},mac=${link.mac}`);
  });
  args.push(
    '-netdev', `user,id=mgmt,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`,
    '-device', `virtio-net-pci,netdev=mgmt,mac=${spec.mgmtMac}`,
  );
  return args;
}

export interface CloudVm {
  readonly name: string;
  readonly pid: number;
  readonly serialPath: string;
  readonly startedMs: number;
  /** QEMU's own complaints, if it exits early. */
  stderr(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after a grace; synchronous so it can run in an exit handler. */
  kill(): void;
}

export function startCloudVm(spec: CloudVmSpec, namespace: string): CloudVm {
  // `ip netns exec` execs QEMU in place, so the child's pid is QEMU's.
  const child = spawn('ip', ['netns', 'exec', namespace, 'qemu-system-x86_64', ...qemuArgs(spec)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exited = false;
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.on('exit', () => {
    exited = true;
  });
  child.on('error', (error) => {
    stderr += error.message;
    exited = true;
  });
  const pid = child.pid ?? -1;
  return {
    name: spec.name,
    pid,
    serialPath: spec.serialPath,
    startedMs: performance.now(),
    stderr: () => stderr.trim(),
    exited: () => exited,
    kill: () => {
      if (exited || pid < 0) return;
      killAndWait(pid);
    },
  };
}

function killAndWait(pid: number): void {
  const signal = (name: NodeJS.Signals): boolean => {
    try {
      process.kill(pid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 3000; waited += 50) {
    if (!signal(0 as unknown as NodeJS.Signals) || isZombie(pid)) return;
    Atomics.wait(sleeper, 0, 0, 50);
  }
  signal('SIGKILL');
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export const READY_MARK = 'vmbeam-dom0-ready';
export const FAILED_MARK = 'vmbeam-dom0-failed';

/** Waits for the Dom0's ready line on the serial log; returns seconds since QEMU started. */
export async function waitForDom0(vm: CloudVm, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    signal.throwIfAborted();
    const log = existsSync(vm.serialPath) ? readFileSync(vm.serialPath, 'utf8') : '';
    if (log.includes(READY_MARK)) return (performance.now() - vm.startedMs) / 1000;
    const failed = log.split('\n').find((line) => line.includes(FAILED_MARK));
    if (failed !== undefined) throw new Error(`cloud VM ${vm.name}: its Dom0 failed to start (${failed.trim()})`);
    if (log.includes('Kernel panic')) throw new Error(`cloud VM ${vm.name}: the Dom0 kernel panicked (${lastLine(log)})`);
    if (vm.exited()) throw new Error(`cloud VM ${vm.name}: QEMU exited during boot (${vm.stderr().split('\n').at(-1) ?? 'no message'})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const log = existsSync(vm.serialPath) ? readFileSync(vm.serialPath, 'utf8') : '';
  throw new Error(`cloud VM ${vm.name}: Xen and its Dom0 did not come up within ${Math.round(timeoutMs / 1000)} s (last console line: ${lastLine(log)})`);
}

/** The serial log goes with the run directory, so errors quote it instead of naming it. */
function lastLine(log: string): string {
  return log.split('\n').map((line) => line.trim()).filter((line) => line !== '').at(-1) ?? 'none';
}
