/**
 * What the model derives from its parameters: a path's stream rate and the
 * CPU it costs per byte, and how many pages of a guest hold data. Pure.
 */
import type { GuestMemory, PathStage, SimParameters } from './parameter-types.ts';

/**
 * CPU-seconds the cloud VMs and the cloud Dom0 spend per byte of migration
 * stream on a pre-copy path: each stage's time per byte, times who spends
 * it, plus the client's, the server's and the Blanket back-end's copies.
 */
export function cpuSecondsPerStreamByte(stages: readonly PathStage[], parameters: SimParameters): number {
  let seconds = parameters.clientServerCopiesPerByte / parameters.memoryCopyBytesPerS + parameters.unattributedCpuSPerStreamByte;
  for (const stage of stages) {
    const shares = parameters.stageCpuShares[stage];
    const secondsPerByte = 8 / (parameters.stageThroughputMbps[stage] * 1e6);
    seconds += (shares.cloudVms + shares.cloudDom0) * secondsPerByte;
    const copies = parameters.stageCopiesPerByte[stage];
    if (copies > 0) seconds += copies / parameters.memoryCopyBytesPerS;
  }
  return seconds;
}

/** Serial path throughput in bytes of migration stream per second: the stages' times per byte add up. */
export function pathBytesPerS(stages: readonly PathStage[], throughputMbps: SimParameters['stageThroughputMbps']): number {
  const secondsPerMbit = stages.reduce((sum, stage) => sum + 1 / throughputMbps[stage], 0);
  return 1e6 / 8 / secondsPerMbit;
}

/** A path's throughput in bytes of migration stream per second, as the parameters compose its stages. */
export function streamBytesPerS(stages: readonly PathStage[], parameters: SimParameters): number {
  if (parameters.pathComposition === 'serial') return pathBytesPerS(stages, parameters.stageThroughputMbps);
  const slowestMbps = Math.min(...stages.map((stage) => parameters.stageThroughputMbps[stage]));
  return (slowestMbps * 1e6) / 8;
}

type FilledGuest = Extract<GuestMemory, { kind: 'filled' }>;

/** What the workload fills of MemAvailable: all of it less max(marginMinMb, MemAvailable / marginDivisor). */
function fillOf(availableMb: number, guest: FilledGuest): number {
  return availableMb - Math.max(guest.marginMinMb, Math.floor(availableMb / guest.marginDivisor));
}

function availableMbAt(memoryMb: number, guest: FilledGuest): number {
  return guest.referenceAvailableMb + (memoryMb - guest.referenceMemoryMb) * guest.availableMbPerGuestMb;
}

/** MB the guest's workload fills with data at `memoryMb`; undefined where the profile says every page holds data. */
export function workloadFillMb(memoryMb: number, guest: GuestMemory): number | undefined {
  return guest.kind === 'all-data' ? undefined : Math.max(0, fillOf(availableMbAt(memoryMb, guest), guest));
}

/** Pages of a guest of `memoryMb` that hold data (the rest are zero pages). */
export function dataPages(memoryMb: number, guest: GuestMemory, pageBytes: number): number {
  const pagesPerMb = (1024 * 1024) / pageBytes;
  const guestPages = memoryMb * pagesPerMb;
  if (guest.kind === 'all-data') return guestPages;
  const pages = guest.referenceDataPages + (fillOf(availableMbAt(memoryMb, guest), guest) - fillOf(guest.referenceAvailableMb, guest)) * pagesPerMb;
  return Math.round(Math.min(guestPages, Math.max(0, pages)));
}
