import { describe, expect, it } from 'vitest';
import { LINK_PROFILES } from '../../../../harness/backends/qemu/link-profiles.ts';
import { DESTINATION_ADDRESS, SOURCE_ADDRESS, linkNames, ownerPid } from '../../../../harness/backends/qemu/links.ts';
import {
  CLIENT_ADDRESS,
  GUEST_MAC,
  guestPortFromFdb,
  serviceNetworkCommands,
  serviceNetworkNames,
} from '../../../../harness/backends/qemu/web/network.ts';

const names = serviceNetworkNames(linkNames(4_194_304, 999));
const commands = serviceNetworkCommands(names, LINK_PROFILES['xen-blanket']).map((argv) => argv.join(' '));

describe('Fig. 7 network names', () => {
  it('adds a client namespace that carries the owner pid, so leftovers are swept', () => {
    expect(names.clientNs).toBe('vmb4194304r999c');
    expect(ownerPid(names.clientNs)).toBe(4_194_304);
  });
});

describe('Fig. 7 network commands', () => {
  it('creates the three namespaces first', () => {
    expect(commands.slice(0, 3)).toEqual([`ip netns add ${names.sourceNs}`, `ip netns add ${names.destinationNs}`, `ip netns add ${names.clientNs}`]);
  });

  it('joins each cloud VM to the client bridge by a veth pair and its tap to its own bridge', () => {
    for (const [ns, nic, port] of [
      [names.sourceNs, names.sourceVeth, 'src0'],
      [names.destinationNs, names.destinationVeth, 'dst0'],
    ] as const) {
      expect(commands).toContain(`ip link add ${nic} netns ${ns} type veth peer name ${port} netns ${names.clientNs}`);
      expect(commands).toContain(`ip -n ${names.clientNs} link set ${port} master br0`);
      expect(commands).toContain(`ip -n ${ns} tuntap add dev tap0 mode tap`);
      expect(commands).toContain(`ip -n ${ns} link set tap0 master br0`);
      expect(commands).toContain(`ip -n ${ns} link set ${nic} master br0`);
    }
  });

  it('keeps the link addresses the transports use, on the cloud VMs bridges, and adds the client', () => {
    expect(commands).toContain(`ip -n ${names.sourceNs} addr add ${SOURCE_ADDRESS}/24 dev br0`);
    expect(commands).toContain(`ip -n ${names.destinationNs} addr add ${DESTINATION_ADDRESS}/24 dev br0`);
    expect(commands).toContain(`ip -n ${names.clientNs} addr add ${CLIENT_ADDRESS}/24 dev br0`);
  });

  it("shapes both ends of both cloud VMs' NICs to the system's rate", () => {
    const shaped = commands.filter((command) => command.startsWith('tc '));
    expect(shaped).toHaveLength(4);
    for (const command of shaped) expect(command).toContain('tbf rate 300mbit');
    expect(shaped.map((command) => command.split(' ')[2] + ' ' + command.split(' ')[6]).sort()).toEqual(
      [`${names.clientNs} dst0`, `${names.clientNs} src0`, `${names.destinationNs} ${names.destinationVeth}`, `${names.sourceNs} ${names.sourceVeth}`].sort(),
    );
  });

  it('bridges the tap before QEMU needs it: every tap exists before any command after it raises it', () => {
    const created = commands.findIndex((command) => command === `ip -n ${names.sourceNs} tuntap add dev tap0 mode tap`);
    const raised = commands.findIndex((command) => command === `ip -n ${names.sourceNs} link set tap0 up`);
    expect(created).toBeGreaterThan(0);
    expect(raised).toBeGreaterThan(created);
  });
});

describe('bridge fdb', () => {
  // `bridge fdb show br br0` in the client namespace after a migration (captured).
  const fdb = [
    '33:33:00:00:00:01 dev br0 self permanent',
    '52:54:00:4d:42:0a dev dst0 master br0 ',
    'aa:11:22:33:44:55 dev src0 vlan 1 master br0 permanent',
    '01:00:5e:00:00:01 dev br0 self permanent',
  ].join('\n');

  it("finds the port the guest's MAC was learnt on", () => {
    expect(guestPortFromFdb(fdb)).toBe('dst0');
    expect(guestPortFromFdb(fdb.replace('dst0', 'src0'))).toBe('src0');
  });

  it('is undefined before the guest sent anything, and ignores permanent entries of the bridge itself', () => {
    expect(guestPortFromFdb('33:33:00:00:00:01 dev br0 self permanent\n')).toBeUndefined();
    expect(guestPortFromFdb(`${GUEST_MAC} dev src0 master br0 permanent`)).toBeUndefined();
  });
});
