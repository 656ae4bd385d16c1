import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type TimedLine } from '../../../harness/backends/xen/lines.ts';
import { classifyLine, parseMigrationLog, type MigrationLog } from '../../../harness/backends/xen/parse.ts';
import { parseXentop, frameCpuPct } from '../../../harness/backends/xen/xentop.ts';
import { parseNetDev, parseNetDevSamples, SAMPLE_MARKER } from '../../../harness/backends/xen/netdev.ts';
import { parseXlList } from '../../../harness/backends/xen/guest.ts';
import { quoteForShell } from '../../../harness/backends/xen/remote.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'xen');
const HANDSHAKE_OK = [
  'receiverReady',
  'transferComplete',
  'senderAcknowledged',
  'permissionGiven',
  'permissionReceived',
  'targetStarted',
  'targetReportedStartup',
  'successful',
];

/** Replays a transcript through the splitter; each chunk (up to \r or \n) "arrives" at its index. */
function transcript(name: string): TimedLine[] {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const lines: TimedLine[] = [];
  const splitter = new LineSplitter('stderr', (line) => lines.push(line));
  const chunks = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  chunks.forEach((chunk, index) => splitter.push(chunk, index));
  splitter.end(chunks.length);
  return lines;
}

function timeOf(lines: readonly TimedLine[], text: string): number {
  const line = lines.find((candidate) => candidate.text.endsWith(text));
  if (line === undefined) throw new Error(`no line ending with '${text}'`);
  return line.tMs;
}

function expectStatus<S extends MigrationLog['status']>(log: MigrationLog, status: S): Extract<MigrationLog, { status: S }> {
  expect(log.status).toBe(status);
  return log as Extract<MigrationLog, { status: S }>;
}

describe('line splitting', () => {
  it('ends lines at \\r as well as \\n, across chunk boundaries, and drops erased blanks', () => {
    const lines: TimedLine[] = [];
    const splitter = new LineSplitter('stderr', (line) => lines.push(line));
    splitter.push('xc: Frames iteration 0: 3072/262144    1%\rxc: Frames it', 5);
    splitter.push('eration 0: 6144/262144    2%\r', 6);
    splitter.push('\r                \r', 7);
    splitter.push('Migration successful.\r', 8);
    splitter.push('\nlast words', 9);
    splitter.end(10);
    expect(lines).toEqual([
      { tMs: 5, stream: 'stderr', text: 'xc: Frames iteration 0: 3072/262144    1%' },
      { tMs: 6, stream: 'stderr', text: 'xc: Frames iteration 0: 6144/262144    2%' },
      { tMs: 8, stream: 'stderr', text: 'Migration successful.' },
      { tMs: 10, stream: 'stderr', text: 'last words' },
    ]);
  });
});

describe('xl line classification', () => {
  it('reads per-pass statistics, progress, totals and failures', () => {
    expect(classifyLine('xc: detail: delta 612ms, dom0 97%, target 1%, sent 99Mb/s, dirtied 2Mb/s 41 pages')).toEqual({
      kind: 'pass-stats',
      stats: { deltaMs: 612, dom0CpuPct: 97, targetCpuPct: 1, sentMbps: 99, dirtiedMbps: 2, dirtiedPages: 41 },
    });
    expect(classifyLine('xc: progress: Saving memory: iter 2 (last sent 1851 skipped 23): 131072/262144   50%')).toEqual({
      kind: 'saving-memory',
      iter: 2,
      lastSent: 1851,
      lastSkipped: 23,
      done: 131072,
      total: 262144,
      percent: 50,
    });
    expect(classifyLine('xc: Frames iteration 1: 1024/1874   54%')).toEqual({ kind: 'frames', iteration: 1, done: 1024, total: 1874, percent: 54 });
    expect(classifyLine('xc: detail: Start last iteration')).toEqual({ kind: 'suspend' });
    expect(classifyLine('xc: Domain now suspended: 0/0    0%')).toEqual({ kind: 'suspend' });
    expect(classifyLine('xc: detail: Total pages sent= 263427 (1.00x)')).toEqual({ kind: 'total-sent', pages: 263427, factor: 1 });
    expect(classifyLine('** Migration failed during final handshake **')).toEqual({
      kind: 'failure-summary',
      text: '** Migration failed during final handshake **',
    });
    expect(classifyLine('Migration failed, resuming at sender.').kind).toBe('failure-summary');
    expect(classifyLine('migration receiver stream contained unexpected data instead of ready message').kind).toBe('failure-detail');
    expect(classifyLine('migration target: Domain creation failed (code -3).').kind).toBe('failure-detail');
    expect(classifyLine('guest1 is an invalid domain identifier (rc=-6)').kind).toBe('failure-detail');
    expect(classifyLine('migration target: Domain started successsfully.')).toEqual({ kind: 'handshake', step: 'targetStarted' });
    // The correctly spelt variant is not what xl prints, so it is not taken for the handshake.
    expect(classifyLine('migration target: Domain started successfully.').kind).toBe('other');
    expect(classifyLine('xc: info: Saving domain 7, type x86 PV').kind).toBe('other');
  });
});

describe('xl migrate transcripts', () => {
  it('Xen 4.2.2: four passes from the -v statistics, pages from the total, times of suspend and startup', () => {
    const lines = transcript('migrate-xen-4.2.2.txt');
    const log = expectStatus(parseMigrationLog(lines), 'succeeded');
    expect(log.iterations).toBe(4);
    expect(log.pagesSent).toBe(263427);
    expect(log.passStats).toEqual([
      { deltaMs: 86120, dom0CpuPct: 96, targetCpuPct: 0, sentMbps: 99, dirtiedMbps: 0, dirtiedPages: 1874 },
      { deltaMs: 612, dom0CpuPct: 97, targetCpuPct: 1, sentMbps: 99, dirtiedMbps: 2, dirtiedPages: 41 },
      { deltaMs: 15, dom0CpuPct: 93, targetCpuPct: 0, sentMbps: 85, dirtiedMbps: 15, dirtiedPages: 7 },
      { deltaMs: 182, dom0CpuPct: 41, targetCpuPct: 0, sentMbps: 1, dirtiedMbps: 1, dirtiedPages: 7 },
    ]);
    expect(log.handshake).toEqual(HANDSHAKE_OK);
    expect(log.times).toEqual({
      suspendMs: timeOf(lines, 'Start last iteration'),
      targetStartedMs: timeOf(lines, 'migration sender: Target reports successful startup.'),
      successMs: timeOf(lines, 'Migration successful.'),
    });
    expect(log.times.suspendMs).toBeLessThan(log.times.targetStartedMs!);
    // 8 handshake lines, the stream header, 4 statistics lines, the suspend and the total.
    expect(log.recognised).toBe(15);
  });

  it('current xl: passes and pages from the \\r-redrawn Frames progress, suspend from "Domain now suspended"', () => {
    const lines = transcript('migrate-xen-4.14.txt');
    expect(lines.some((line) => line.text.includes('\r'))).toBe(false);
    const log = expectStatus(parseMigrationLog(lines), 'succeeded');
    // iteration 0 (262144 pages), 1 (1874), 2 (41, live) and 2 again (7, the final pass).
    expect(log.iterations).toBe(4);
    expect(log.pagesSent).toBe(262144 + 1874 + 41 + 7);
    expect(log.passStats).toEqual([]);
    expect(log.handshake).toEqual(HANDSHAKE_OK);
    expect(log.times.suspendMs).toBe(timeOf(lines, 'Domain now suspended: 0/0    0%'));
    expect(log.times.targetStartedMs).toBe(timeOf(lines, 'migration sender: Target reports successful startup.'));
    expect(log.times.successMs).toBe(timeOf(lines, 'Migration successful.'));
  });

  it('real Xen 4.17 (the local testbed, xl -vvv): handshake found although a receiver line cut one, suspend from libxl, no passes shown', () => {
    const lines = transcript('migrate-xen-4.17-local.txt');
    // The sender's "Target reports successful startup." arrived behind the receiver's "libxl: ".
    expect(lines.some((line) => line.text === 'libxl: migration sender: Target reports successful startup.')).toBe(true);
    const log = expectStatus(parseMigrationLog(lines), 'succeeded');
    expect(log.handshake).toEqual([
      'receiverReady',
      'transferComplete',
      'senderAcknowledged',
      'permissionGiven',
      'permissionReceived',
      'targetReportedStartup',
      'targetStarted',
      'successful',
    ]);
    expect(log.times.suspendMs).toBe(
      timeOf(lines, 'libxl: debug: libxl_dom_suspend.c:358:suspend_common_wait_guest_check: Domain 1:guest has suspended'),
    );
    expect(log.times.suspendMs!).toBeLessThan(log.times.targetStartedMs!);
    expect(log.times.targetStartedMs!).toBeLessThan(log.times.successMs!);
    // 4.17's xl hides libxenguest's progress and prints no per-pass statistics.
    expect(log.iterations).toBeUndefined();
    expect(log.pagesSent).toBeUndefined();
  });

  it('real Xen 4.17 over plain TCP (-s vmbeam-plain): only the sender\'s half of the handshake, still a success', () => {
    const log = expectStatus(parseMigrationLog(transcript('migrate-xen-4.17-local-plain-tcp.txt')), 'succeeded');
    expect(log.handshake).toEqual(['senderAcknowledged', 'permissionGiven', 'targetReportedStartup', 'successful']);
    expect(log.times.suspendMs!).toBeLessThan(log.times.targetStartedMs!);
  });

  it('real Xen 4.17 with the guest dirtying 4,000 pages/s: the same lines, the suspend before the startup report', () => {
    const log = expectStatus(parseMigrationLog(transcript('migrate-xen-4.17-local-dirtying.txt')), 'succeeded');
    expect(log.times.suspendMs!).toBeLessThan(log.times.targetStartedMs!);
    expect(log.times.targetStartedMs!).toBeLessThan(log.times.successMs!);
    expect(log.iterations).toBeUndefined();
  });

  it("finds xl's fixed lines behind a fragment of another writer's message, and libxl's suspend without its prefix or newline", () => {
    expect(classifyLine('libxl: migration sender: Target reports successful startup.')).toEqual({ kind: 'handshake', step: 'targetReportedStartup' });
    expect(classifyLine('libxl: debug: libxl_ev migration sender: Target reports successful startup.')).toEqual({ kind: 'handshake', step: 'targetReportedStartup' });
    expect(classifyLine('xc: debug: Migration successful.')).toEqual({ kind: 'handshake', step: 'successful' });
    // A relayed message's text without its newline, glued to the sender's line.
    expect(classifyLine('xc: info: Restore successfulmigration sender: Target reports successful startup.')).toEqual({ kind: 'handshake', step: 'targetReportedStartup' });
    expect(classifyLine('Not a Migration successful.xyz').kind).toBe('other');
    expect(classifyLine('libxl_dom_suspend.c:358:suspend_common_wait_guest_check: Domain 3:guest has suspendedlibxl: debug: x').kind).toBe('suspend');
  });

  it('failure at the target: the summary with the first explaining line', () => {
    const log = expectStatus(parseMigrationLog(transcript('migrate-target-failure.txt')), 'failed');
    expect(log.failure).toBe('Migration failed due to problems at target. (migration target: Failure, destroying our copy.)');
    expect(log.iterations).toBe(4);
    expect(log.pagesSent).toBe(263427);
    expect(log.times.successMs).toBeUndefined();
    expect(log.times.targetStartedMs).toBeUndefined();
    expect(log.handshake).toEqual(['receiverReady', 'transferComplete', 'senderAcknowledged', 'permissionGiven', 'permissionReceived']);
  });

  it('failure to suspend: the summary with libxl\'s reason; no total was printed', () => {
    const lines = transcript('migrate-suspend-failure.txt');
    const log = expectStatus(parseMigrationLog(lines), 'failed');
    expect(log.failure).toBe(
      "Migration failed, failed to suspend at sender. (libxl: error: libxl_dom.c:1077:libxl__domain_suspend_common_callback: guest didn't acknowledge suspend, cancelling request)",
    );
    expect(log.iterations).toBe(2);
    expect(log.pagesSent).toBeUndefined();
    expect(log.times.suspendMs).toBe(timeOf(lines, 'Start last iteration'));
    expect(log.times.successMs).toBeUndefined();
  });

  it('a hang: incomplete, ending where the output stopped', () => {
    const log = expectStatus(parseMigrationLog(transcript('migrate-hang.txt')), 'incomplete');
    expect(log.lastLine).toBe('xc: progress: Reloading memory pages: 91750/262144   35%');
    expect(log.recognised).toBe(2);
    expect(log.iterations).toBeUndefined();
  });

  it('garbage: incomplete with nothing recognised', () => {
    const log = expectStatus(parseMigrationLog(transcript('migrate-garbage.txt')), 'incomplete');
    expect(log.recognised).toBe(0);
    expect(log.lastLine).toBe('Segmentation fault');
  });

  it('4.2 progress lines alone give the pass count ("iter N" runs pass N + 1)', () => {
    const log = parseMigrationLog(
      [
        'xc: progress: Saving memory: iter 0 (last sent 0 skipped 0): 131072/262144   50%',
        'xc: progress: Saving memory: iter 1 (last sent 261530 skipped 614): 262144/262144  100%',
        'xc: progress: Saving memory: iter 2 (last sent 1851 skipped 23): 262144/262144  100%',
        'Migration successful.',
      ].map((text, index) => ({ tMs: index, stream: 'stderr' as const, text })),
    );
    expect(log.iterations).toBe(3);
    expect(log.pagesSent).toBeUndefined();
  });
});

describe('xentop batch output', () => {
  const text = readFileSync(join(FIXTURES, 'xentop-batch.txt'), 'utf8');
  const lines = text.split('\n').map((line, index) => ({ tMs: index, stream: 'stdout' as const, text: line }));

  it('splits frames at the header and reads CPU(sec) and CPU(%) per domain', () => {
    const frames = parseXentop(lines);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toEqual({
      tMs: 7,
      domains: [
        { name: 'Domain-0', cpuS: 15322, cpuPct: 92.4 },
        { name: 'cloudvm-a', cpuS: 40232, cpuPct: 131.5 },
        { name: 'cloudvm-b', cpuS: 39121, cpuPct: 87.1 },
      ],
    });
    expect(frameCpuPct(frames[2]!, undefined)).toBeCloseTo(325);
    expect(frameCpuPct(frames[2]!, ['Domain-0', 'cloudvm-a'])).toBeCloseTo(235);
    // xentop prints at most 10 characters of a name.
    expect(frameCpuPct(frames[2]!, ['cloudvm-a-with-a-long-name'])).toBeCloseTo(0);
    expect(frameCpuPct(frames[2]!, ['cloudvm-b'])).toBeCloseTo(90);
  });
});

describe('/proc/net/dev', () => {
  const text = readFileSync(join(FIXTURES, 'proc-net-dev.txt'), 'utf8');
  it('reads the byte counters of one interface', () => {
    expect(parseNetDev(text, 'eth0')).toEqual({ rxBytes: 8814301, txBytes: 12093114 });
    expect(parseNetDev(text, 'lo')).toEqual({ rxBytes: 52214, txBytes: 52214 });
    expect(parseNetDev(text, 'eth1')).toBeUndefined();
  });
  it('splits the sampling loop output at its marker', () => {
    const lines = [SAMPLE_MARKER, ...text.split('\n'), SAMPLE_MARKER, ...text.replace('12093114', '12193114').split('\n')].map(
      (line, index) => ({ tMs: index, text: line }),
    );
    expect(parseNetDevSamples(lines, 'eth0')).toEqual([
      { tMs: 5, rxBytes: 8814301, txBytes: 12093114 },
      { tMs: 11, rxBytes: 8814301, txBytes: 12193114 },
    ]);
  });
});

describe('helpers', () => {
  it('parses xl list', () => {
    expect(
      parseXlList([
        'Name                                        ID   Mem VCPUs\tState\tTime(s)',
        'Domain-0                                     0  9728     1     r-----    1914.5',
        'guest1                                      28  1024     1     --p---      28.0',
      ]),
    ).toEqual([
      { name: 'Domain-0', memoryMb: 9728 },
      { name: 'guest1', memoryMb: 1024 },
    ]);
  });
  it('quotes words for the remote shell', () => {
    expect(quoteForShell('memory=1024')).toBe('memory=1024');
    expect(quoteForShell('ssh -c none')).toBe("'ssh -c none'");
    expect(quoteForShell("it's")).toBe(`'it'\\''s'`);
    expect(quoteForShell('$(reboot)')).toBe("'$(reboot)'");
  });
});
