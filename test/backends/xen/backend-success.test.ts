import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XenBackend } from '../../../harness/backends/xen/backend.ts';
import { LineSplitter, type TimedLine } from '../../../harness/backends/xen/lines.ts';
import { downtime } from '../../../harness/backends/xen/measure.ts';
import { parseMigrationLog } from '../../../harness/backends/xen/parse.ts';
import { context, FAST, FIXTURES, fakeTestbed, point, type FakeTestbed } from './fake-testbed.ts';

describe('xl-log downtime of the transcript the fake replays', () => {
  it('spans the 13 lines from "Start last iteration" to "Target reports successful startup."', () => {
    // The fake writes a line every FAKE_XL_LINE_DELAY_MS (5 ms in these tests); stamp them exactly so.
    const lines: TimedLine[] = [];
    const splitter = new LineSplitter('stderr', (line) => lines.push(line));
    const text = readFileSync(join(FIXTURES, 'xen', 'migrate-xen-4.2.2.txt'), 'utf8');
    text.split(/(?<=\n)/).forEach((chunk, index) => splitter.push(chunk, index * 5));
    const log = parseMigrationLog(lines);
    if (log.status !== 'succeeded') throw new Error(`transcript parsed as ${log.status}`);
    expect(downtime(log, undefined, 0)).toBeCloseTo((42 - 29) * 0.005, 9);
  });
});

describe('xen backend against the fakes: successful migrations', () => {
  let bed: FakeTestbed;
  let backend: XenBackend;
  beforeAll(async () => {
    bed = fakeTestbed();
    backend = await XenBackend.create(bed.testbedPath, FAST);
  });
  afterAll(() => bed.remove());

  it('checks every host, and the source-to-destination hop xl needs, before anything runs', () => {
    const calls = bed.sshCalls();
    // The three hosts are checked at once, so they may answer in any order.
    expect(calls.slice(0, 3)).toEqual(expect.arrayContaining([
      { host: 'dom0-a', command: 'true' },
      { host: 'dom0-b', command: 'true' },
      { host: 'cloud-dom0', command: 'true' },
    ]));
    expect(calls.slice(3)).toEqual([
      { host: 'dom0-a', command: 'ssh -o BatchMode=yes dom0-b true' },
      { host: 'dom0-b', command: 'true' },
    ]);
    expect(backend.concurrency).toBe(1);
    expect(backend.figures).toEqual(['2', '3', '4']);
  });

  it('Xen 4.2.2: creates the guest with the point\'s memory, migrates with the cipher and measures the row', async () => {
    const txBefore = bed.txBytes();
    const m = await backend.migrate(point({ system: 'xen-nest', memoryMb: 1024 }), context());
    const commands = bed.sshCalls().map((call) => `${call.host}: ${call.command}`);
    expect(commands.find((c) => c.includes('xl create'))).toMatch(/^dom0-a: xl create \S+guest1\.cfg memory=1024$/);
    expect(commands).toContain("dom0-a: timeout --kill-after=10 20 xl -v migrate -s 'ssh -c aes128-ctr' guest1 dom0-b");
    expect(commands).toContain('cloud-dom0: xentop -b -d 1');

    // Exactly what the fake put on the wire while it replayed the transcript.
    expect(m.networkBytes).toBe(263427 * 4096);
    expect(bed.txBytes() - txBefore).toBe(263427 * 4096);
    expect(m.iterations).toBe(4);
    expect(m.pagesSent).toBe(263427);
    expect(m.transferredBytes).toBe(263427 * 4096);
    expect(m.memoryAccessBytes).toBeUndefined();
    // Only orderings: how long the fake's sleeps really took depends on the machine's load.
    // The arithmetic (suspend to startup report, busy intervals) is tested on the pure
    // functions in measure.test.ts.
    expect(m.downtimeS).toBeGreaterThan(0);
    expect(m.downtimeS!).toBeLessThan(m.migrationTimeS);
    expect(m.transferDurationS).toBeGreaterThan(0);
    const sentMbit = m.bandwidthSeries.reduce((sum, bin) => sum + bin.value, 0);
    expect(sentMbit).toBeCloseTo((263427 * 4096 * 8) / 1e6, 3);
    // The fake's frames report 0 %, then 311 %, then 325 % for ever, each over xentop's 1 s delay.
    expect(m.cpuTimeS).toBeGreaterThan(3);
    const remainder = m.cpuTimeS! % 3.25;
    expect(Math.min(Math.abs(remainder), Math.abs(remainder - 3.11), Math.abs(remainder - 3.25))).toBeLessThan(1e-9);
    expect(m.cpuSeries.reduce((sum, bin) => sum + bin.value, 0) / 100).toBeCloseTo(m.cpuTimeS!, 6);
    // The guest moved, and was then removed from the destination for the next repetition.
    expect(bed.domains('dom0-b')).toEqual([]);
    expect(bed.domains('dom0-a')).toEqual([]);
  });

  it('current xl: passes and pages from the Frames progress; none cipher passed through; guest re-created', async () => {
    process.env.FAKE_XL_SCENARIO = 'xen-4.14';
    const before = bed.sshCalls().length;
    const m = await backend.migrate(point({ system: 'xen-nest-nocipher', memoryMb: 512 }), context());
    const commands = bed.sshCalls().slice(before).map((call) => call.command);
    expect(commands.some((c) => /^xl create \S+ memory=512$/.test(c))).toBe(true);
    expect(commands).toContain("timeout --kill-after=10 20 xl -v migrate -s 'ssh -c none' guest1 dom0-b");
    expect(m.iterations).toBe(4);
    expect(m.pagesSent).toBe(262144 + 1874 + 41 + 7);
    expect(m.networkBytes).toBe(1081614336);
    expect(m.downtimeS).toBeGreaterThan(0);
    expect(m.downtimeS!).toBeLessThan(m.migrationTimeS);
  });

  it('a system without a cipher runs plain xl migrate; a guest left on the source with the right memory is reused', async () => {
    process.env.FAKE_XL_SCENARIO = 'target-failure';
    await expect(backend.migrate(point({ system: 'xen-blanket', memoryMb: 256 }), context())).rejects.toThrow(/problems at target/);
    expect(bed.domains('dom0-a')).toMatchObject([{ name: 'guest1', memoryMb: 256 }]);
    process.env.FAKE_XL_SCENARIO = 'xen-4.2.2';
    const before = bed.sshCalls().length;
    await backend.migrate(point({ system: 'xen-blanket', memoryMb: 256 }), context());
    const commands = bed.sshCalls().slice(before).map((call) => call.command);
    expect(commands.some((c) => c.startsWith('xl create'))).toBe(false);
    expect(commands).toContain('timeout --kill-after=10 20 xl -v migrate guest1 dom0-b');
  });

  it('rejects systems the testbed does not run and dirty-rate points without guest.address, before touching the guest', async () => {
    const before = bed.sshCalls().length;
    await expect(backend.migrate(point({ system: 'vmbeam' }), context())).rejects.toThrow(
      "system vmbeam is not configured in the testbed file's \"systems\" (this testbed runs: xen-nest, xen-nest-nocipher, xen-blanket)",
    );
    await expect(backend.migrate(point({ figure: '6', dirtyRegionMb: 1024, dirtyPagesPerS: 3000 }), context())).rejects.toThrow(
      /needs guest\.address in the testbed file/,
    );
    expect(bed.sshCalls().length).toBe(before);
    await expect(backend.measureService(point({ figure: '7' }))).rejects.toThrow(/not supported on the xen backend yet/);
  });

  it('describes the testbed and the Xen version for run.json', async () => {
    const info = await backend.describe();
    expect(info).toMatchObject({
      source: 'root@dom0-a',
      destination: 'dom0-b',
      cloudDom0: 'root@cloud-dom0',
      sourceXenVersion: '4.2.2',
      sourceDom0Kernel: '3.5.0-fake',
      downtimeMethod: 'xl log: suspend to target startup report (approximation)',
    });
  });
});
