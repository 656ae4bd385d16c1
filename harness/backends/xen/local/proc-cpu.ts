/**
 * CPU of the two cloud VMs as the host sees it: the host plays the cloud
 * Dom0, so the paper's "both cloud VMs and the cloud Dom0" is the two QEMU
 * processes here (all their threads: vCPU, I/O and the socket link between
 * them). Read from /proc/<pid>/stat's utime + stime, which count in clock
 * ticks; the readings are cumulative, so the migration's CPU time is a
 * difference of two counters, not a sum of polled percentages.
 */
import { readFileSync } from 'node:fs';
import type { CpuReading, CpuSource } from '../cpu.ts';

/** USER_HZ: the unit of /proc/<pid>/stat's times on Linux (sysconf(_SC_CLK_TCK), 100 on every mainstream build). */
export const CLOCK_TICKS_PER_S = 100;
/** Fine enough for 1 s bins; reading two small files this often costs the host next to nothing. */
const READ_INTERVAL_MS = 100;

/** utime + stime in seconds from one /proc/<pid>/stat line, or undefined if it is not one. */
export function parseProcStatCpuS(text: string): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / CLOCK_TICKS_PER_S;
}

function readCpuS(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    const cpuS = parseProcStatCpuS(text);
    if (cpuS === undefined) return undefined;
    total += cpuS;
  }
  return total;
}

export function procCpuSource(pids: readonly number[]): CpuSource {
  return {
    description: `host /proc/<pid>/stat utime+stime of both cloud VMs' QEMUs (pids ${pids.join(', ')}), read every ${READ_INTERVAL_MS} ms`,
    start: () => {
      const readings: CpuReading[] = [];
      const take = () => {
        const cpuS = readCpuS(pids);
        if (cpuS !== undefined) readings.push({ tMs: performance.now(), cpuS });
      };
      take();
      const timer = setInterval(take, READ_INTERVAL_MS);
      let stopped = false;
      return {
        stop: async () => {
          if (!stopped) {
            stopped = true;
            clearInterval(timer);
            take();
          }
          return readings;
        },
      };
    },
  };
}
