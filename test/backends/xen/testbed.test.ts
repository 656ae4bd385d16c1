import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTestbed, parseTestbed } from '../../../harness/backends/xen/testbed.ts';

const VALID = {
  source: { host: 'user@guest-dom0-a' },
  destination: { host: 'guest-dom0-b' },
  cloudDom0: { host: 'user@cloud-dom0' },
  guest: { name: 'guest1', config: '/etc/xen/guest1.cfg', address: '10.0.0.5' },
  ssh: { options: ['-o', 'BatchMode=yes'] },
  interface: 'eth0',
  systems: { 'xen-nest': { sshCipher: 'aes128-ctr' }, 'xen-nest-nocipher': { sshCipher: 'none' } },
};

function errorOf(value: unknown): string {
  try {
    parseTestbed(JSON.stringify(value), 'testbed.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the testbed to be rejected');
}

function without(path: string[]): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  delete target[path.at(-1)!];
  return copy;
}

function withValue(path: string[], value: unknown): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = value;
  return copy;
}

describe('testbed file', () => {
  it('accepts the example of issue 6 and fills in defaults', () => {
    const testbed = parseTestbed(JSON.stringify(VALID), 'testbed.json');
    expect(testbed.source.host).toBe('user@guest-dom0-a');
    expect(testbed.cloudDom0).toEqual({ host: 'user@cloud-dom0', domains: undefined });
    expect(testbed.guest).toEqual({ name: 'guest1', config: '/etc/xen/guest1.cfg', address: '10.0.0.5' });
    expect(testbed.sshOptions).toEqual(['-o', 'BatchMode=yes']);
    expect([...testbed.systems]).toEqual([
      ['xen-nest', { sshCipher: 'aes128-ctr' }],
      ['xen-nest-nocipher', { sshCipher: 'none' }],
    ]);
    const minimal = parseTestbed(JSON.stringify(without(['interface'])), 'testbed.json');
    expect(minimal.interface).toBe('eth0');
    const bare = parseTestbed(JSON.stringify({ ...VALID, cloudDom0: undefined, ssh: undefined, guest: { name: 'g', config: 'c' } }), 't');
    expect(bare.cloudDom0).toBeUndefined();
    expect(bare.guest.address).toBeUndefined();
    expect(bare.sshOptions).toEqual([]);
  });

  it.each([
    [withValue(['guest', 'name'], 7), 'testbed.json: guest.name: expected a string'],
    [without(['guest', 'name']), 'testbed.json: guest.name: missing (expected a string)'],
    [without(['source']), 'testbed.json: source: missing (expected an object)'],
    [withValue(['destination', 'host'], '-oProxyCommand=evil'), 'testbed.json: destination.host: expected a host name'],
    [withValue(['cloudDom0', 'host'], 'two words'), 'testbed.json: cloudDom0.host: expected a host name'],
    [withValue(['guest', 'address'], ''), 'testbed.json: guest.address: expected a host name'],
    [withValue(['guest', 'config'], ''), 'testbed.json: guest.config: must not be empty'],
    [withValue(['ssh', 'options'], ['-o', 3]), 'testbed.json: ssh.options.1: expected a string'],
    [withValue(['ssh', 'options'], '-o BatchMode=yes'), 'testbed.json: ssh.options: expected an array'],
    [withValue(['interface'], 'eth0; rm -rf /'), 'testbed.json: interface: expected an interface name'],
    [withValue(['systems'], []), 'testbed.json: systems: expected an object'],
    [withValue(['systems'], {}), 'testbed.json: systems: must name at least one system'],
    [withValue(['systems'], { 'xen-nets': {} }), 'testbed.json: systems.xen-nets: unknown system (valid: vmbeam,'],
    [withValue(['systems'], { 'xen-nest': { sshCipher: 'aes128-ctr"; reboot' } }), 'testbed.json: systems.xen-nest.sshCipher: expected an ssh cipher'],
    [withValue(['systems'], { 'xen-nest': { cipher: 'none' } }), 'testbed.json: systems.xen-nest.cipher: unknown field'],
    [withValue(['guest', 'adress'], '10.0.0.5'), 'testbed.json: guest.adress: unknown field'],
    [withValue(['cloudDom0', 'domains'], []), 'testbed.json: cloudDom0.domains: must list at least one domain'],
  ])('names the field in a one-line error (%#)', (value, message) => {
    const error = errorOf(value);
    expect(error.startsWith(message)).toBe(true);
    expect(error).not.toContain('\n');
  });

  it('reports a file that is missing or not JSON, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xen-testbed-'));
    expect(() => loadTestbed(join(dir, 'absent.json'))).toThrow(/absent\.json: cannot read the testbed file \(ENOENT\)/);
    writeFileSync(join(dir, 'broken.json'), '{ "source": ');
    expect(() => loadTestbed(join(dir, 'broken.json'))).toThrow(/^broken\.json: not valid JSON/);
    writeFileSync(join(dir, 'testbed.json'), JSON.stringify(VALID));
    expect(loadTestbed(join(dir, 'testbed.json')).guest.name).toBe('guest1');
  });
});
