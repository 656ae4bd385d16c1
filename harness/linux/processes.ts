/** Live processes, read from /proc: what the harness looks for when it hunts for what a run left behind. */
import { readdirSync, readFileSync } from 'node:fs';

/** Every live process's command line, its arguments joined by spaces. A process that exits while being read is left out. */
export function commandLines(): Map<number, string> {
  const lines = new Map<number, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return lines;
  }
  for (const entry of entries) {
    try {
      lines.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // exited meanwhile
    }
  }
  return lines;
}
