/**
 * Parser for `xentop -b -d 1` (batch mode): every `delay` seconds it prints
 * the column header and one line per domain (tools/xentop/xentop.c: top()
 * prints no summary in batch mode; do_header() then do_domain() per domain).
 * Pure: timestamped lines in, frames out.
 */
import type { TimedLine } from './lines.ts';

export interface XentopDomain {
  /** As xentop prints it: print_name() uses "%10.10s", so at most 10 characters. */
  readonly name: string;
  /** Total CPU time in whole seconds (print_cpu: "%10llu" of cpu_ns / 1e9). */
  readonly cpuS: number;
  /** Utilisation over the last delay, 100 = one core (print_cpu_pct: "%6.1f"); 0 in the first frame. */
  readonly cpuPct: number;
}

export interface XentopFrame {
  /** When the frame's last line arrived (performance.now(), like TimedLine). */
  readonly tMs: number;
  readonly domains: readonly XentopDomain[];
}

// do_header(): "%*s" of each field header: NAME STATE CPU(sec) CPU(%) MEM(k) ...
const HEADER = /^\s*NAME\s+STATE\s+CPU\(sec\)\s+CPU\(%\)/;
// do_domain(): name "%10.10s", state as 6 letters of "dsbcpr" or '-', "%10llu", "%6.1f", ...
const DOMAIN = /^\s*(.+?)\s+([-dsbcpr]{6})\s+(\d+)\s+(\d+(?:\.\d+)?)\s/;

/** Splits batch output into frames; lines before the first header or that match nothing are skipped. */
export function parseXentop(lines: readonly TimedLine[]): XentopFrame[] {
  const frames: XentopFrame[] = [];
  let current: { tMs: number; domains: XentopDomain[] } | undefined;
  for (const line of lines) {
    if (HEADER.test(line.text)) {
      if (current !== undefined) frames.push(current);
      current = { tMs: line.tMs, domains: [] };
      continue;
    }
    const match = DOMAIN.exec(line.text);
    if (current === undefined || match === null) continue;
    current.domains.push({ name: match[1]!, cpuS: Number(match[3]), cpuPct: Number(match[4]) });
    current.tMs = line.tMs;
  }
  if (current !== undefined) frames.push(current);
  return frames;
}

/** Sum of CPU(%) over the selected domains (all when `names` is undefined); names compare on xentop's 10 characters. */
export function frameCpuPct(frame: XentopFrame, names: readonly string[] | undefined): number {
  const wanted = names?.map((name) => name.slice(0, 10));
  return frame.domains
    .filter((domain) => wanted === undefined || wanted.includes(domain.name))
    .reduce((sum, domain) => sum + domain.cpuPct, 0);
}
