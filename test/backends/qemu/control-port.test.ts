import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlPort, mergedSamples } from '../../../harness/backends/qemu/control-port.ts';

/** A stand-in for QEMU's control socket: hands the test the connection the port opens. */
async function fakeQemu(): Promise<{ path: string; connection: Promise<Socket>; server: Server; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'control-port-'));
  const path = join(dir, 'control.sock');
  let accept!: (socket: Socket) => void;
  const connection = new Promise<Socket>((resolve) => (accept = resolve));
  const server = createServer((socket) => accept(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, connection, server, dir };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('the control port', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('sends the command, and keeps every write report with the host time it arrived, split lines included', async () => {
    const qemu = await fakeQemu();
    const port = await ControlPort.open(qemu.path, 'source');
    cleanups.push(() => port.close(), () => qemu.server.close(), () => rmSync(qemu.dir, { recursive: true, force: true }));
    const socket = await qemu.connection;
    const command = new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
    port.send('dirty 64 1000\n');
    expect(await command).toBe('dirty 64 1000\n');
    const before = Date.now();
    socket.write('VMBEAM-WRITES t_ms=100 pages=100\r\nVMBEAM-WRI');
    socket.write('TES t_ms=200 pages=200\r\nsomething else\r\n');
    await until(() => port.samples.length === 2);
    expect(port.samples.map((sample) => sample.pages)).toEqual([100, 200]);
    expect(port.firstReportMs).toBeGreaterThanOrEqual(before);
    expect(port.samples[1]!.hostMs).toBeGreaterThanOrEqual(port.samples[0]!.hostMs);
    expect(port.corruption).toBeUndefined();
  });

  it("keeps the workload's first report of a lost write", async () => {
    const qemu = await fakeQemu();
    const port = await ControlPort.open(qemu.path, 'destination');
    cleanups.push(() => port.close(), () => qemu.server.close(), () => rmSync(qemu.dir, { recursive: true, force: true }));
    const socket = await qemu.connection;
    socket.write('VMBEAM-CORRUPT page=7 expected=90 found=12\r\nVMBEAM-CORRUPT page=8 expected=91 found=13\r\n');
    await until(() => port.corruption !== undefined);
    expect(port.corruption).toBe('VMBEAM-CORRUPT page=7 expected=90 found=12');
  });

  it('fails when QEMU hangs up, but not when the harness does', async () => {
    const qemu = await fakeQemu();
    const port = await ControlPort.open(qemu.path, 'destination');
    cleanups.push(() => qemu.server.close(), () => rmSync(qemu.dir, { recursive: true, force: true }));
    (await qemu.connection).destroy();
    await expect(port.failed).rejects.toThrow(/^the destination QEMU's control port closed \(did QEMU exit\?\)$/);
    const other = await fakeQemu();
    const closing = await ControlPort.open(other.path, 'source');
    cleanups.push(() => other.server.close(), () => rmSync(other.dir, { recursive: true, force: true }));
    closing.close();
    const settled = await Promise.race([closing.failed.then(() => 'rejected', () => 'rejected'), new Promise((resolve) => setTimeout(() => resolve('pending'), 50))]);
    expect(settled).toBe('pending');
  });

  it('says which socket it could not reach', async () => {
    await expect(ControlPort.open('/nonexistent/control.sock', 'source')).rejects.toThrow(/^the source QEMU's control port: connect ENOENT/);
  });

  it('merges both sides into one series in time order', () => {
    const a = { samples: [{ hostMs: 1, pages: 1 }, { hostMs: 3, pages: 3 }] };
    const b = { samples: [{ hostMs: 5, pages: 5 }, { hostMs: 3, pages: 4 }] };
    expect(mergedSamples(a, b).map((sample) => sample.pages)).toEqual([1, 3, 4, 5]);
  });
});
