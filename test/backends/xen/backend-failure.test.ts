import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XenBackend } from '../../../harness/backends/xen/backend.ts';
import { context, FAST, FIXTURES, fakeTestbed, point, type FakeTestbed } from './fake-testbed.ts';

describe('xen backend against the fakes: failures', () => {
  let bed: FakeTestbed;
  let backend: XenBackend;
  /** Only the hang test gets a 1 s limit: a loaded machine can take longer than that to replay a whole transcript. */
  let impatient: XenBackend;
  beforeAll(async () => {
    bed = fakeTestbed({ cloudDom0: undefined });
    backend = await XenBackend.create(bed.testbedPath, FAST);
    impatient = await XenBackend.create(bed.testbedPath, { ...FAST, migrationTimeoutS: 1 });
  });
  afterAll(() => bed.remove());

  it('failure at the target: the error carries xl\'s failure line and the guest stays on the source', async () => {
    process.env.FAKE_XL_SCENARIO = 'target-failure';
    await expect(backend.migrate(point(), context())).rejects.toThrow(
      'xl migrate failed: Migration failed due to problems at target. (migration target: Failure, destroying our copy.)',
    );
    expect(bed.domains('dom0-a')).toMatchObject([{ name: 'guest1', memoryMb: 1024 }]);
    expect(bed.domains('dom0-b')).toEqual([]);
  });

  it('failure to suspend: the summary and libxl\'s reason', async () => {
    process.env.FAKE_XL_SCENARIO = 'suspend-failure';
    await expect(backend.migrate(point(), context())).rejects.toThrow(
      "xl migrate failed: Migration failed, failed to suspend at sender. (libxl: error: libxl_dom.c:1077:libxl__domain_suspend_common_callback: guest didn't acknowledge suspend, cancelling request)",
    );
  });

  it('garbage output that exits 0 is a failure that says xl was not recognised', async () => {
    process.env.FAKE_XL_SCENARIO = 'garbage';
    await expect(backend.migrate(point(), context())).rejects.toThrow(
      "xl migrate printed nothing recognisable as xl output (exit 0, last line: 'Segmentation fault'); check that xl on root@dom0-a is Xen's toolstack",
    );
  });

  it('a hang is killed after the time limit, and the error says so', async () => {
    process.env.FAKE_XL_SCENARIO = 'hang';
    // The fake prints its transcript, then sleeps for ever: only the kill ends this. How far
    // it got within 1 s depends on the load, so the last line is any of the transcript's.
    const lines = readFileSync(join(FIXTURES, 'xen', 'migrate-hang.txt'), 'utf8').split('\n').filter((line) => line.trim() !== '');
    const error = await impatient.migrate(point(), context()).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    const match = /^xl migrate did not finish within 1 s and was killed \(last line: '(.*)'\); check xl list on both guest Dom0s$/s.exec(String((error as Error).message));
    expect(match, String(error)).not.toBeNull();
    expect(lines).toContain(match![1]);
  });

  it('without a cloud Dom0 the CPU columns are unknown, not zero', async () => {
    process.env.FAKE_XL_SCENARIO = 'xen-4.2.2';
    const m = await backend.migrate(point(), context());
    expect(m.cpuTimeS).toBeUndefined();
    expect(m.cpuSeries).toEqual([]);
    expect(m.iterations).toBe(4);
    expect(backend.figures).toEqual(['2', '3']);
  });
});

describe('xen backend: unreachable hosts', () => {
  it('an unreachable host is a one-line error naming the testbed field, before anything runs', async () => {
    const bed = fakeTestbed();
    try {
      process.env.FAKE_SSH_UNREACHABLE = 'cloud-dom0';
      const error = await XenBackend.create(bed.testbedPath, FAST).then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
      expect(error?.message).toBe(
        'cannot reach root@cloud-dom0 over ssh: ssh: connect to host cloud-dom0 port 22: Connection refused (testbed cloudDom0.host; check the host name and that its ssh key is installed)',
      );
      expect(bed.sshCalls().some((call) => call.command.startsWith('xl'))).toBe(false);

      process.env.FAKE_SSH_UNREACHABLE = 'dom0-b';
      await expect(XenBackend.create(bed.testbedPath, FAST)).rejects.toThrow(/^cannot reach dom0-b over ssh: .*testbed destination\.host/);
    } finally {
      delete process.env.FAKE_SSH_UNREACHABLE;
      bed.remove();
    }
  });

  it('an invalid testbed file fails before any ssh', async () => {
    const bed = fakeTestbed({ guest: { name: 'guest1' } });
    try {
      await expect(XenBackend.create(bed.testbedPath, FAST)).rejects.toThrow('testbed.json: guest.config: missing (expected a string)');
      expect(bed.sshCalls()).toEqual([]);
    } finally {
      bed.remove();
    }
  });
});
