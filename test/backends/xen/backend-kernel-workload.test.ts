import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XenBackend } from '../../../harness/backends/xen/backend.ts';
import { context, FAST, fakeTestbed, point, type FakeTestbed } from './fake-testbed.ts';

/**
 * A testbed shaped like the local one: per-system destinations (one NIC per
 * system), a plain-TCP -s command, xl -vvv, and a guest without a network
 * whose workload is set on its kernel command line. The fake xl replays the
 * real Xen 4.17 transcript recorded on the local testbed.
 */
describe('xen backend against the fakes: a local-style testbed', () => {
  let bed: FakeTestbed;
  let backend: XenBackend;
  let consoleLog: string;
  beforeAll(async () => {
    bed = fakeTestbed({
      cloudDom0: undefined,
      guest: {
        name: 'guest1',
        config: join(import.meta.dirname, '..', '..', 'fixtures', 'xen', 'guest1.cfg'),
        kernelWorkload: { extra: 'console=hvc0 rdinit=/init', consoleLog: '/tmp/placeholder.log' },
      },
      xlVerbosity: '-vvv',
      systems: {
        'xen-nest': { sshCipher: 'aes128-ctr', destination: 'dom0-b-nest', interface: 'eth0' },
        'xen-nest-nocipher': { sshCommand: 'vmbeam-plain', destination: 'dom0-b-nest', interface: 'eth0' },
      },
    });
    consoleLog = join(bed.dir, 'console.log');
    const testbed = JSON.parse(readFileSync(bed.testbedPath, 'utf8'));
    testbed.guest.kernelWorkload.consoleLog = consoleLog;
    writeFileSync(bed.testbedPath, JSON.stringify(testbed));
    process.env.FAKE_CONSOLE_LOG = consoleLog;
    process.env.FAKE_XL_SCENARIO = 'xen-4.17-local';
    backend = await XenBackend.create(bed.testbedPath, FAST);
  });
  afterAll(() => {
    delete process.env.FAKE_CONSOLE_LOG;
    bed.remove();
  });

  it('checks the hop to each system destination, and offers Fig. 6 without a guest address', () => {
    expect(bed.sshCalls().map((call) => `${call.host}: ${call.command}`)).toContain('dom0-a: ssh -o BatchMode=yes dom0-b-nest true');
    expect(backend.figures).toEqual(['2', '3', '6']);
    expect(backend.systems).toEqual(['xen-nest', 'xen-nest-nocipher']);
  });

  it('creates the guest with its workload on the kernel command line, waits for it, and migrates to the system destination', async () => {
    const m = await backend.migrate(point({ figure: '6', system: 'xen-nest', memoryMb: 256, dirtyRegionMb: 64, dirtyPagesPerS: 1000 }), context());
    const commands = bed.sshCalls().map((call) => `${call.host}: ${call.command}`);
    expect(commands).toContain(`dom0-a: rm -f ${consoleLog}`);
    expect(readFileSync(consoleLog, 'utf8')).toContain(
      'booted with extra="console=hvc0 rdinit=/init vmbeam.fill_mb=128 vmbeam.dirty_mb=64 vmbeam.dirty_pages_per_s=1000"',
    );
    expect(commands).toContain("dom0-a: timeout --kill-after=10 20 xl -vvv migrate -s 'ssh -c aes128-ctr' guest1 dom0-b-nest");
    expect(bed.domains('dom0-b-nest').map((domain) => domain.name)).toEqual(['guest1']);
    // Real 4.17 lines: downtime from libxl's "guest has suspended" to the startup report.
    expect(m.downtimeS).toBeGreaterThan(0);
    expect(m.downtimeS!).toBeLessThan(m.migrationTimeS);
    expect(m.iterations).toBeUndefined();
    expect(m.pagesSent).toBeUndefined();
    expect(m.networkBytes).toBe(116106211);
  });

  it('passes a system -s command as it is', async () => {
    await backend.migrate(point({ system: 'xen-nest-nocipher', memoryMb: 96 }), context());
    const commands = bed.sshCalls().map((call) => call.command);
    expect(commands).toContain('timeout --kill-after=10 20 xl -vvv migrate -s vmbeam-plain guest1 dom0-b-nest');
  });
});
