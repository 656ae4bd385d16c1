/**
 * The sampling loop's /proc/net/dev snapshots of a Dom0 interface; one
 * snapshot is parsed by the shared parser (harness/linux/net-dev.ts).
 */
import { parseNetDev, type InterfaceCounters } from '../../linux/net-dev.ts';

export { parseNetDev, type InterfaceCounters };

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
