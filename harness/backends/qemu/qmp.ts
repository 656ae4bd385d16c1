/**
 * A small typed QMP client over a UNIX socket: greeting and capability
 * negotiation, `execute<T>()` matched by id, and an event stream with
 * `waitForEvent()`. Events are kept in a short history so that a waiter can
 * start from a sequence number taken *before* the command that triggers them.
 */
import { connect, type Socket } from 'node:net';
import { AbortedError, TimeoutError } from './errors.ts';
import { pollUntil } from './wait.ts';

export interface QmpEvent {
  /** 0-based position in this connection's event stream. */
  seq: number;
  event: string;
  data: Record<string, unknown>;
  /** QEMU's own timestamp, in ms since the epoch. */
  qemuTimeMs: number;
  /** performance.now() when the event was parsed. */
  receivedAtMs: number;
}

export class QmpCommandError extends Error {
  readonly errorClass: string;
  readonly command: string;
  constructor(command: string, errorClass: string, desc: string) {
    super(`QMP ${command} failed: ${desc}`);
    this.name = 'QmpCommandError';
    this.errorClass = errorClass;
    this.command = command;
  }
}

export type QmpMessage =
  | { kind: 'greeting'; version: string }
  | { kind: 'return'; id: string | undefined; value: unknown }
  | { kind: 'error'; id: string | undefined; errorClass: string; desc: string }
  | { kind: 'event'; event: string; data: Record<string, unknown>; qemuTimeMs: number }
  | { kind: 'unknown'; raw: unknown };

/** Splits a byte stream into complete lines; returns the unfinished tail. */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const text = pending + chunk;
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== ''), rest };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies one QMP JSON line. Throws on invalid JSON. */
export function parseQmpMessage(line: string): QmpMessage {
  const raw: unknown = JSON.parse(line);
  if (!isRecord(raw)) return { kind: 'unknown', raw };
  const id = typeof raw['id'] === 'string' ? raw['id'] : undefined;
  if (isRecord(raw['QMP'])) {
    const version = isRecord(raw['QMP']['version']) ? raw['QMP']['version'] : {};
    const qemu = isRecord(version['qemu']) ? version['qemu'] : {};
    return { kind: 'greeting', version: `${String(qemu['major'])}.${String(qemu['minor'])}.${String(qemu['micro'])}` };
  }
  if ('return' in raw) return { kind: 'return', id, value: raw['return'] };
  if (isRecord(raw['error'])) {
    return {
      kind: 'error',
      id,
      errorClass: String(raw['error']['class'] ?? 'GenericError'),
      desc: String(raw['error']['desc'] ?? 'unknown error'),
    };
  }
  if (typeof raw['event'] === 'string') {
    const ts = isRecord(raw['timestamp']) ? raw['timestamp'] : {};
    const seconds = typeof ts['seconds'] === 'number' ? ts['seconds'] : 0;
    const micros = typeof ts['microseconds'] === 'number' ? ts['microseconds'] : 0;
    return {
      kind: 'event',
      event: raw['event'],
      data: isRecord(raw['data']) ? raw['data'] : {},
      qemuTimeMs: seconds * 1000 + micros / 1000,
    };
  }
  return { kind: 'unknown', raw };
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Waiter {
  name: string;
  predicate: (event: QmpEvent) => boolean;
  resolve: (event: QmpEvent) => void;
  reject: (error: Error) => void;
}

export interface WaitOptions {
  predicate?: (event: QmpEvent) => boolean;
  timeoutMs: number;
  /** Also match events already received with seq >= since (see `nextEventSeq`). */
  since?: number;
  signal?: AbortSignal;
}

const HISTORY_LIMIT = 512;

export class QmpClient {
  /** QEMU version from the greeting, e.g. "7.2.22". */
  version = 'unknown';
  private readonly socket: Socket;
  private pendingText = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(event: QmpEvent) => void>();
  private readonly history: QmpEvent[] = [];
  private eventSeq = 0;
  private closedError: Error | undefined;
  private greeting: { resolve: (version: string) => void; reject: (error: Error) => void } | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new Error(`QMP socket error: ${error.message}`)));
    socket.on('close', () => this.fail(new Error('QMP connection closed (did QEMU exit?)')));
  }

  /**
   * Connects (retrying while the socket does not exist yet or refuses),
   * reads the greeting and negotiates capabilities. `stop` ends the retries
   * at once (launchVm fires it when its QEMU exits: nothing will ever listen).
   */
  static async connect(path: string, timeoutMs = 10_000, stop?: AbortSignal): Promise<QmpClient> {
    let lastError: unknown;
    return pollUntil(
      async () => {
        try {
          return await QmpClient.attempt(path);
        } catch (error) {
          lastError = error;
          return undefined;
        }
      },
      {
        timeoutMs,
        intervalMs: 50,
        signal: stop,
        abortMessage: () => `stopped connecting to QMP at ${path}: ${String(stop?.reason)}`,
        timeoutMessage: () => `could not connect to QMP at ${path} within ${timeoutMs} ms: ${String(lastError)}`,
      },
    );
  }

  /** One connection attempt: socket, greeting, capabilities. */
  private static async attempt(path: string): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const client = new QmpClient(socket);
    try {
      const version = await new Promise<string>((resolve, reject) => {
        client.greeting = { resolve, reject };
        if (client.closedError !== undefined) reject(client.closedError);
      });
      client.version = version;
      await client.execute('qmp_capabilities');
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Sequence number the next event will get; pass it as `since` to not miss it. */
  get nextEventSeq(): number {
    return this.eventSeq;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const id = `h${this.nextId++}`;
    const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(JSON.stringify(message) + '\n');
    });
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitForEvent(name: string, options: WaitOptions): Promise<QmpEvent> {
    const predicate = options.predicate ?? (() => true);
    if (options.since !== undefined) {
      const past = this.history.find((event) => event.seq >= (options.since ?? 0) && event.event === name && predicate(event));
      if (past !== undefined) return Promise.resolve(past);
    }
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise<QmpEvent>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        name,
        predicate,
        resolve: (event) => {
          cleanup();
          resolve(event);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.reject(new TimeoutError(`timed out after ${options.timeoutMs} ms waiting for QMP event ${name}`)),
        options.timeoutMs,
      );
      const onAbort = (): void => waiter.reject(new AbortedError(`aborted while waiting for QMP event ${name}`));
      if (options.signal?.aborted === true) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new Error('QMP connection closed by the harness'));
  }

  private onData(chunk: string): void {
    const { lines, rest } = splitLines(this.pendingText, chunk);
    this.pendingText = rest;
    for (const line of lines) {
      let message: QmpMessage;
      try {
        message = parseQmpMessage(line);
      } catch {
        continue; // QEMU only sends JSON; ignore a corrupt line rather than crash the run
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: QmpMessage): void {
    switch (message.kind) {
      case 'greeting':
        this.greeting?.resolve(message.version);
        this.greeting = undefined;
        return;
      case 'return':
      case 'error': {
        if (message.id === undefined) return;
        const pending = this.pending.get(message.id);
        if (pending === undefined) return;
        this.pending.delete(message.id);
        if (message.kind === 'return') pending.resolve(message.value);
        else pending.reject(new QmpCommandError(pending.command, message.errorClass, message.desc));
        return;
      }
      case 'event': {
        const event: QmpEvent = {
          seq: this.eventSeq++,
          event: message.event,
          data: message.data,
          qemuTimeMs: message.qemuTimeMs,
          receivedAtMs: performance.now(),
        };
        this.history.push(event);
        if (this.history.length > HISTORY_LIMIT) this.history.shift();
        for (const listener of this.listeners) listener(event);
        for (const waiter of [...this.waiters]) {
          if (waiter.name === event.event && waiter.predicate(event)) waiter.resolve(event);
        }
        return;
      }
      case 'unknown':
        return;
    }
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    this.greeting?.reject(error);
    this.greeting = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }
}
