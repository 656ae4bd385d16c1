import { describe, expect, it } from 'vitest';
import { tbfQueueBytes } from '../../../harness/backends/qemu/link-profiles.ts';
import { linkBatches, linkNames, ownerPid, tbfArgs } from '../../../harness/backends/qemu/links.ts';

describe('link names', () => {
  it('fit IFNAMSIZ even for the largest pid and carry the owner pid', () => {
    const names = linkNames(4_194_304, 999);
    for (const name of Object.values(names)) expect(name.length).toBeLessThanOrEqual(15);
    expect(ownerPid(names.sourceNs)).toBe(4_194_304);
    expect(ownerPid(names.destinationNs)).toBe(4_194_304);
    expect(ownerPid('some-other-netns')).toBeUndefined();
  });

  it('differ between runs and between processes', () => {
    const all = [linkNames(100, 1), linkNames(100, 2), linkNames(101, 1)].map((names) => names.sourceNs);
    expect(new Set(all).size).toBe(3);
  });
});

describe('tc and counters', () => {
  it('shapes with a token bucket at the profile rate', () => {
    const args = tbfArgs('ns', 'veth0', 100);
    expect(args).toEqual(expect.arrayContaining(['-n', 'ns', 'dev', 'veth0', 'tbf', 'rate', '100mbit']));
    const burst = Number(args[args.indexOf('burst') + 1]);
    expect(burst).toBeGreaterThanOrEqual(64 * 1024);
    expect(Number(tbfArgs('ns', 'veth0', 1000)[tbfArgs('ns', 'veth0', 1000).indexOf('burst') + 1])).toBe(500_000);
  });

  it('holds rate x latency + bucket in the tbf queue, as tc-tbf(8) computes its limit', () => {
    const args = tbfArgs('ns', 'veth0', 100);
    const latencyS = Number(args[args.indexOf('latency') + 1]!.replace('ms', '')) / 1000;
    const burst = Number(args[args.indexOf('burst') + 1]);
    expect(tbfQueueBytes(100)).toBe(12_500_000 * latencyS + burst);
    expect(tbfQueueBytes(1000)).toBe(125_000_000 * 0.05 + 500_000);
  });

});

describe('link setup batches', () => {
  it('creates both namespaces before the veth pair that joins them, then configures each end inside its namespace', () => {
    const names = linkNames(4242, 7);
    const [host, source, destination] = linkBatches(names);
    expect(host?.netns).toBeUndefined();
    expect(host?.commands.slice(0, 2)).toEqual([`netns add ${names.sourceNs}`, `netns add ${names.destinationNs}`]);
    expect(host?.commands[2]).toBe(
      `link add ${names.sourceVeth} netns ${names.sourceNs} type veth peer name ${names.destinationVeth} netns ${names.destinationNs}`,
    );
    expect(source).toEqual({
      netns: names.sourceNs,
      commands: [`addr add 10.77.0.1/30 dev ${names.sourceVeth}`, 'link set lo up', `link set ${names.sourceVeth} up`],
    });
    expect(destination?.netns).toBe(names.destinationNs);
    expect(destination?.commands[0]).toBe(`addr add 10.77.0.2/30 dev ${names.destinationVeth}`);
  });
});
