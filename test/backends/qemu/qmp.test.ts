import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, TimeoutError } from '../../../harness/backends/qemu/errors.ts';
import { QmpClient, QmpCommandError, parseQmpMessage, splitLines } from '../../../harness/backends/qemu/qmp.ts';

describe('QMP framing and parsing', () => {
  it('splits lines across chunks and keeps the unfinished tail', () => {
    const first = splitLines('', '{"a":1}\r\n{"b"');
    expect(first.lines).toEqual(['{"a":1}']);
    expect(first.rest).toBe('{"b"');
    const second = splitLines(first.rest, ':2}\r\n\r\n');
    expect(second.lines).toEqual(['{"b":2}']);
    expect(second.rest).toBe('');
  });

  it('classifies greeting, return, error and event messages', () => {
    expect(parseQmpMessage('{"QMP":{"version":{"qemu":{"micro":22,"minor":2,"major":7},"package":""},"capabilities":[]}}')).toEqual({
      kind: 'greeting',
      version: '7.2.22',
    });
    expect(parseQmpMessage('{"return":{"status":"running"},"id":"h1"}')).toEqual({
      kind: 'return',
      id: 'h1',
      value: { status: 'running' },
    });
    expect(parseQmpMessage('{"error":{"class":"GenericError","desc":"nope"},"id":"h2"}')).toEqual({
      kind: 'error',
      id: 'h2',
      errorClass: 'GenericError',
      desc: 'nope',
    });
    expect(
      parseQmpMessage('{"timestamp":{"seconds":10,"microseconds":500000},"event":"MIGRATION_PASS","data":{"pass":3}}'),
    ).toEqual({ kind: 'event', event: 'MIGRATION_PASS', data: { pass: 3 }, qemuTimeMs: 10_500 });
    expect(() => parseQmpMessage('{not json')).toThrow();
  });
});

/** A fake QEMU monitor: greets, answers commands from a table, lets the test push events. */
class FakeQmpServer {
  readonly server: Server;
  readonly received: Array<Record<string, unknown>> = [];
  sockets: Socket[] = [];
  constructor(
    readonly path: string,
    readonly answer: (command: string, args: unknown) => unknown,
  ) {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      socket.write('{"QMP":{"version":{"qemu":{"micro":22,"minor":2,"major":7},"package":""},"capabilities":["oob"]}}\r\n');
      let pending = '';
      let writes = Promise.resolve();
      socket.on('data', (chunk) => {
        const { lines, rest } = splitLines(pending, chunk.toString());
        pending = rest;
        for (const line of lines) {
          const message = JSON.parse(line) as { execute: string; arguments?: unknown; id?: string };
          this.received.push(message as unknown as Record<string, unknown>);
          const reply = this.answer(message.execute, message.arguments);
          // Split every reply in two writes, in order, to exercise re-framing.
          const text = JSON.stringify({ ...(reply as object), id: message.id }) + '\r\n';
          writes = writes.then(async () => {
            socket.write(text.slice(0, 5));
            await new Promise((resolve) => setTimeout(resolve, 2));
            socket.write(text.slice(5));
          });
        }
      });
    });
  }
  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.path, resolve));
  }
  event(name: string, data: Record<string, unknown>): void {
    for (const socket of this.sockets) {
      socket.write(JSON.stringify({ timestamp: { seconds: 1, microseconds: 0 }, event: name, data }) + '\r\n');
    }
  }
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('QmpClient against a fake UNIX-socket server', () => {
  let dir: string;
  let server: FakeQmpServer;
  let client: QmpClient | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qmp-test-'));
    server = new FakeQmpServer(join(dir, 'qmp.sock'), (command, args) => {
      if (command === 'qmp_capabilities') return { return: {} };
      if (command === 'query-status') return { return: { status: 'running', running: true } };
      if (command === 'echo') return { return: args };
      return { error: { class: 'CommandNotFound', desc: `The command ${command} has not been found` } };
    });
    await server.listen();
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('negotiates capabilities and reads the version from the greeting', async () => {
    client = await QmpClient.connect(server.path, 2000);
    expect(client.version).toBe('7.2.22');
    expect(server.received[0]).toMatchObject({ execute: 'qmp_capabilities' });
  });

  it('matches replies to commands by id, also when several are in flight', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const [status, echo] = await Promise.all([
      client.execute<{ status: string }>('query-status'),
      client.execute('echo', { value: 42 }),
    ]);
    expect(status.status).toBe('running');
    expect(echo).toEqual({ value: 42 });
  });

  it('turns QMP errors into QmpCommandError with QEMU text', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const failure = client.execute('no-such-command');
    await expect(failure).rejects.toBeInstanceOf(QmpCommandError);
    await expect(failure).rejects.toThrow(/no-such-command has not been found/);
  });

  it('delivers events to waiters, including ones received before the wait (since)', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const since = client.nextEventSeq;
    server.event('MIGRATION_PASS', { pass: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const early = await client.waitForEvent('MIGRATION_PASS', { timeoutMs: 100, since });
    expect(early.data['pass']).toBe(1);
    const later = client.waitForEvent('MIGRATION', {
      predicate: (event) => event.data['status'] === 'completed',
      timeoutMs: 1000,
    });
    server.event('MIGRATION', { status: 'active' });
    server.event('MIGRATION', { status: 'completed' });
    expect((await later).data['status']).toBe('completed');
  });

  it('times out waiting for an event that never comes', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const waiting = client.waitForEvent('RESUME', { timeoutMs: 30 });
    await expect(waiting).rejects.toThrow(/timed out after 30 ms/);
    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
  });

  it('stops waiting for an event on abort, with an AbortedError', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const controller = new AbortController();
    const waiting = client.waitForEvent('RESUME', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow(new AbortedError('aborted while waiting for QMP event RESUME'));
  });

  it('rejects pending commands and waiters when the connection closes', async () => {
    client = await QmpClient.connect(server.path, 2000);
    const waiting = client.waitForEvent('MIGRATION', { timeoutMs: 5000 });
    for (const socket of server.sockets) socket.destroy();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(client.execute('query-status')).rejects.toThrow(/closed/);
  });

  it('gives up connecting to a socket nobody listens on', async () => {
    const connecting = QmpClient.connect(join(dir, 'absent.sock'), 200);
    await expect(connecting).rejects.toThrow(/could not connect/);
    await expect(connecting).rejects.toBeInstanceOf(TimeoutError);
  });

  it('stops retrying as soon as it is told the QEMU behind the socket has exited', async () => {
    const exited = new AbortController();
    // A limit no test waits out: only the stop can end this.
    const connecting = QmpClient.connect(join(dir, 'absent.sock'), 3_600_000, exited.signal);
    exited.abort(new Error('destination QEMU exited with status 1'));
    await expect(connecting).rejects.toBeInstanceOf(AbortedError);
    await expect(connecting).rejects.toThrow(/stopped connecting to QMP at .*absent\.sock: Error: destination QEMU exited with status 1/);
  });
});
