/**
 * Parser for /proc/net/dev (Linux net/core/net-procfs.c: two header lines,
 * then "%6s: %7llu %7llu ..." per interface: 8 receive counters, then 8
 * transmit counters, the first of each being bytes). Pure; bottom layer, so
 * every backend (and calibration) reads the counters the same way.
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
