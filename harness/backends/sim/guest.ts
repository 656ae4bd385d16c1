/**
 * The guest as the model sees it: where the workload's region lies among
 * its frames, how many pages that region really holds, and what pass 1
 * costs outside it. Pure, but for a cache of region layouts.
 */
import { Random } from '../../random.ts';
import { scatteredRegion } from './dirty-log.ts';
import { dataPages, workloadFillMb } from './derived.ts';
import type { SimParameters } from './parameter-types.ts';

/**
 * Pages the workload writes over: its region, capped at the memory it
 * filled (guest/workload.c: `if (dirty_mb > fill_mb) dirty_mb = fill_mb`),
 * where the profile knows what the guest fills.
 */
export function workloadRegionPages(memoryMb: number, regionMb: number, parameters: SimParameters): number {
  const pagesPerMb = (1024 * 1024) / parameters.pageBytes;
  const fillMb = workloadFillMb(memoryMb, parameters.guestMemory);
  return Math.round((fillMb === undefined ? regionMb : Math.min(regionMb, fillMb)) * pagesPerMb);
}

/**
 * Pass 1's mean stream bytes per page outside the workload's region, where
 * the guest's zero pages are (the workload's region is filled with data);
 * nothing when every page holds data.
 */
export function outsideRegionBytes(
  memoryMb: number,
  guestPages: number,
  regionPages: number,
  parameters: SimParameters,
  pageHeaderBytes = parameters.pageHeaderBytes,
): { outsideRegionPageBytesOnWire?: number } {
  const guest = parameters.guestMemory;
  if (guest.kind === 'all-data') return {};
  const outside = guestPages - regionPages;
  if (outside <= 0) return {};
  const zero = guestPages - dataPages(memoryMb, guest, parameters.pageBytes);
  const fullPage = parameters.pageBytes + pageHeaderBytes;
  const zeroOutside = Math.min(zero, outside);
  return { outsideRegionPageBytesOnWire: ((outside - zeroOutside) * fullPage + zeroOutside * guest.zeroPageBytes) / outside };
}

const regions = new Map<string, Int32Array>();

/**
 * Where the workload's region lies in the guest's frames is a property of
 * the guest (drawn once, like one boot of the paper's guest), not of a
 * repetition: repetitions differ in the workload's writes.
 */
export function guestRegion(guestPages: number, regionPages: number, layoutSeed: number): Int32Array {
  const key = `${guestPages}/${regionPages}/${layoutSeed}`;
  let region = regions.get(key);
  if (region === undefined) {
    region = scatteredRegion(guestPages, regionPages, new Random(layoutSeed));
    regions.set(key, region);
  }
  return region;
}
