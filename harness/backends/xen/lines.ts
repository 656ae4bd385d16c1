/**
 * Splits a byte stream into lines as it arrives. xl redraws its progress
 * bar in place with `\r` (xtl_logger_stdio.c: `putc('\r', lg->f)` before each
 * redraw, and `"\r%*s\r"` to erase it), so a carriage return ends a line as
 * much as a newline does; the blank lines the erasing leaves are dropped.
 */
export interface TimedLine {
  /**
   * When the line's end arrived, as `performance.now()`: one monotonic clock
   * for every command, so lines of the samplers and of `xl` line up.
   */
  readonly tMs: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export class LineSplitter {
  private pending = '';

  constructor(
    private readonly stream: TimedLine['stream'],
    private readonly emit: (line: TimedLine) => void,
  ) {}

  /** Feeds a chunk received at `tMs`; emits every line it completes. */
  push(chunk: string, tMs: number): void {
    const parts = (this.pending + chunk).split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.emitLine(part, tMs);
  }

  /** Emits what is left when the stream ends without a final newline. */
  end(tMs: number): void {
    const rest = this.pending;
    this.pending = '';
    this.emitLine(rest, tMs);
  }

  private emitLine(text: string, tMs: number): void {
    if (text.trim() === '') return;
    this.emit({ tMs, stream: this.stream, text: text.trimEnd() });
  }
}
