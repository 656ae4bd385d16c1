import { describe, expect, it } from 'vitest';
import { dom0CommandLine, qemuArgs, type CloudVmSpec } from '../../../../harness/backends/xen/local/cloud-vm.ts';
import { localTestbedJson } from '../../../../harness/backends/xen/local/index.ts';
import { parseTestbed } from '../../../../harness/backends/xen/testbed.ts';

const spec: CloudVmSpec = {
  name: 'cvm-a',
  xen: '/cache/xen',
  dom0Kernel: '/boot/vmlinuz-6.1.0-57-amd64',
  dom0Initramfs: '/tmp/run/dom0.cpio',
  memoryMb: 1024,
  dom0MemoryMb: 384,
  links: [
    { name: 'nest0', model: 'e1000', mac: '52:54:00:77:01:01', address: '10.77.1.1/24', socket: { connect: 17001 } },
    { name: 'blanket0', model: 'virtio-net-pci', mac: '52:54:00:77:02:01', address: '10.77.2.1/24', socket: { connect: 17002 } },
  ],
  sshPort: 2201,
  mgmtMac: '52:54:00:77:00:01',
  hosts: [{ name: 'cvm-b-nest', address: '10.77.1.2' }],
  serialPath: '/tmp/run/cvm-a.serial',
};

describe('a cloud VM of the local testbed', () => {
  it("keeps ',' out of the Dom0's command line (QEMU splits multiboot modules on it) and names NICs by MAC", () => {
    const line = dom0CommandLine(spec);
    expect(line).not.toContain(',');
    expect(line).toContain('vmbeam.nic=nest0/525400770101/10.77.1.1+24');
    expect(line).toContain('vmbeam.nic=mgmt0/525400770001/10.0.2.15+24');
    expect(line).toContain('vmbeam.host=cvm-b-nest/10.77.1.2');
  });

  it('gives Xen NPT under TCG, one emulated and one paravirtual link, and ssh only on the loopback', () => {
    const args = qemuArgs(spec).join(' ');
    expect(args).toContain('-accel tcg');
    expect(args).toContain('-cpu qemu64,+svm,+npt');
    expect(args).toContain('-device e1000,netdev=link0,mac=52:54:00:77:01:01');
    expect(args).toContain('-device virtio-net-pci,netdev=link1,mac=52:54:00:77:02:01');
    expect(args).toContain('socket,id=link0,connect=127.0.0.1:17001');
    expect(args).toContain('hostfwd=tcp:127.0.0.1:2201-:22');
    expect(args).toContain('dom0_mem=384M,max:384M');
  });

  it('is described in the same testbed schema as a user file: Xen-Nest on e1000, Xen-Blanket on virtio, their -nocipher variants over plain TCP', () => {
    const testbed = parseTestbed(JSON.stringify(localTestbedJson('/tmp/run/ssh_config')), 'local testbed');
    expect([...testbed.systems.keys()].sort()).toEqual(['xen-blanket', 'xen-blanket-nocipher', 'xen-nest', 'xen-nest-nocipher']);
    expect(testbed.systems.get('xen-nest')).toMatchObject({ interface: 'nest0', destination: 'cvm-b-nest', sshCipher: 'aes128-ctr' });
    expect(testbed.systems.get('xen-blanket-nocipher')).toMatchObject({ interface: 'blanket0', sshCommand: 'vmbeam-plain' });
    expect(testbed.guest.kernelWorkload?.consoleLog).toBe('/var/log/xen/console/guest-vmbeam.log');
    expect(testbed.xlVerbosity).toBe('-vvv');
  });
});
