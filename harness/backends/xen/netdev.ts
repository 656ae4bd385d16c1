/**
 * Parser for /proc/net/dev (Linux net/core/net-procfs.c: two header lines,
 * then "%6s: %7llu %7llu ..." per interface: 8 receive counters, then 8
 * transmit counters, the first of each being bytes). Pure.
 */
export interface InterfaceCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** The counters of one interface in one /proc/net/dev snapshot, or undefined if it is not listed. */
export function parseNetDev(text: string, iface: string): InterfaceCounters | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== iface) continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (fields.length < 16 || fields.some((value) => !Number.isFinite(value))) return undefined;
    return { rxBytes: fields[0]!, txBytes: fields[8]! };
  }
  return undefined;
}

/** A counter snapshot, stamped like a TimedLine (performance.now() at arrival). */
export interface CounterSample extends InterfaceCounters {
  readonly tMs: number;
}

/** Marks the start of each snapshot in the sampling loop's output. */
export const SAMPLE_MARKER = '@@netdev';

/**
 * Splits the sampling loop's output (a marker line, then /proc/net/dev,
 * repeated) into samples, each stamped with the arrival of its last line.
 */
export function parseNetDevSamples(lines: readonly { tMs: number; text: string }[], iface: string): CounterSample[] {
  const samples: CounterSample[] = [];
  let block: string[] | undefined;
  let blockEnd = 0;
  const flush = () => {
    if (block === undefined) return;
    const counters = parseNetDev(block.join('\n'), iface);
    if (counters !== undefined) samples.push({ tMs: blockEnd, ...counters });
  };
  for (const line of lines) {
    if (line.text.trim() === SAMPLE_MARKER) {
      flush();
      block = [];
      continue;
    }
    block?.push(line.text);
    blockEnd = line.tMs;
  }
  flush();
  return samples;
}
