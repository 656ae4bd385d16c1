/**
 * The workload's control port (the guest's second serial port, a UNIX
 * socket of QEMU's): the harness sends the dirty parameters on it and reads
 * the workload's write reports from it, each stamped when it arrives
 * (guest-writes.ts says why the host's clock). QEMU serves one client per
 * socket, so one connection per QEMU carries both.
 */
import { connect, type Socket } from 'node:net';
import { CORRUPT_LINE, parseWritesLine, type WritesSample } from './guest-writes.ts';
import { splitLines } from './qmp.ts';

export class ControlPort {
  /** The write reports received so far, in arrival order. */
  readonly samples: WritesSample[] = [];
  /** The workload's first report of a page that did not hold what it wrote (guest/workload.c). */
  corruption: string | undefined;
  /** Rejects once the connection fails or closes before `close()`. */
  readonly failed: Promise<never>;
  private pending = '';
  private closing = false;

  private constructor(private readonly socket: Socket, what: string) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.failed = new Promise<never>((_, reject) => {
      socket.on('error', (error) => reject(new Error(`${what} control port: ${error.message}`)));
      socket.on('close', () => {
        if (!this.closing) reject(new Error(`${what} control port closed (did QEMU exit?)`));
      });
    });
    this.failed.catch(() => undefined);
  }

  /** Connects to a QEMU's control socket (it listens from its start, without waiting for a client); `role` names it in errors. */
  static async open(controlSocket: string, role: string): Promise<ControlPort> {
    const what = `the ${role} QEMU's`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(controlSocket);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', (error) => reject(new Error(`${what} control port: ${error.message}`)));
    });
    return new ControlPort(socket, what);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Host epoch ms of the first write report, if one arrived. */
  get firstReportMs(): number | undefined {
    return this.samples[0]?.hostMs;
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    const arrivedMs = Date.now();
    const { lines, rest } = splitLines(this.pending, chunk);
    this.pending = rest;
    for (const line of lines) {
      const report = parseWritesLine(line);
      if (report !== undefined) this.samples.push({ hostMs: arrivedMs, pages: report.pages });
      else if (line.startsWith(CORRUPT_LINE)) this.corruption ??= line.trim();
    }
  }
}

/** Both sides' reports as one series: the source's until it stopped, then the destination's. */
export function mergedSamples(...ports: readonly { readonly samples: readonly WritesSample[] }[]): WritesSample[] {
  return ports.flatMap((port) => port.samples).sort((a, b) => a.hostMs - b.hostMs || a.pages - b.pages);
}
