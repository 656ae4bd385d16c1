import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XenBackend } from '../../../harness/backends/xen/backend.ts';
import { context, FAST, fakeTestbed, point, type FakeTestbed } from './fake-testbed.ts';

// With guest.address the backend reaches into the guest: it fills memory,
// runs the Perl dirtying workload with its heartbeat, and takes downtime
// from the heartbeat. The fake ssh runs these locally, so sizes stay small.
describe('xen backend against the fakes: guest workload', () => {
  let bed: FakeTestbed;
  let backend: XenBackend;
  beforeAll(async () => {
    bed = fakeTestbed({ guest: { name: 'guest1', config: `${import.meta.dirname}/../../fixtures/xen/guest1.cfg`, address: 'root@guest1' } });
    backend = await XenBackend.create(bed.testbedPath, FAST);
  });
  afterAll(() => bed.remove());

  it('waits for the new guest, fills it, dirties at the point\'s rate and measures downtime by heartbeat', async () => {
    process.env.FAKE_XL_SCENARIO = 'xen-4.2.2';
    expect(backend.figures).toEqual(['2', '3', '4', '6']);
    const m = await backend.migrate(point({ figure: '6', memoryMb: 72, dirtyRegionMb: 4, dirtyPagesPerS: 2000 }), context());
    const guestCommands = bed.sshCalls().filter((call) => call.host === 'guest1').map((call) => call.command);
    expect(guestCommands[0]).toBe('true');
    expect(guestCommands[1]).toMatch(/^perl -e '.*' 8$/s);
    expect(guestCommands[2]).toMatch(/^perl -e '.*' 4 2000 \d+$/s);
    // The local "guest" never pauses; how long its heartbeat gaps are depends on the
    // machine's load, so only orderings here (heartbeatPauseS is tested in measure.test.ts).
    expect(m.downtimeS).toBeGreaterThanOrEqual(0);
    expect(m.downtimeS!).toBeLessThan(m.migrationTimeS);
    expect(m.iterations).toBe(4);
    expect((await backend.describe())['downtimeMethod']).toBe('guest heartbeat gap');
  });
});
