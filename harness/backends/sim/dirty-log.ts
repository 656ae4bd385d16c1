import type { Random } from '../../random.ts';

/**
 * The guest's dirty-page log as Xen keeps it in log-dirty mode: one bit per
 * page, set by the guest's writes, read and cleared by the sender after each
 * pass (CLEAN) and read without clearing before each batch (PEEK).
 *
 * The workload writes one page every 1/rate seconds, each uniformly at
 * random over its region, so a page written twice is dirty once. Writes
 * are drawn one by one; once every region page is dirty, further writes
 * change nothing until the next CLEAN and are not drawn.
 *
 * Only region pages can be dirty, so the log is kept per region index
 * (bit i stands for frame region[i]) in a packed bitmap small enough to
 * stay in the CPU's first-level cache: writes are the simulator's hot loop.
 */
export class DirtyLog {
  private readonly words: Uint32Array;
  private dirtyCount = 0;
  /** Index of the last write applied; write k happens once writesBy(t) reaches k. */
  private appliedWrites = 0;
  /** The rate holds from rateStartS on, when writesBy was writesAtRateStart (a throttled guest changes it). */
  private rateStartS: number;
  private writesAtRateStart = 0;

  constructor(
    /** The region's frames, in frame order. */
    readonly region: Int32Array,
    private pagesPerS: number,
    startS: number,
    private readonly random: Random,
  ) {
    this.words = new Uint32Array(Math.ceil(region.length / 32));
    this.rateStartS = startS;
  }

  /** Writes the workload has made by `tS` since its clock started (fractional: the next write is due when it passes an integer). */
  writesBy(tS: number): number {
    return this.writesAtRateStart + Math.max(0, tS - this.rateStartS) * this.pagesPerS;
  }

  /** From `tS` on the workload writes at `pagesPerS` (QEMU's auto-converge slows the guest down). */
  setRate(tS: number, pagesPerS: number): void {
    this.advanceTo(tS);
    this.writesAtRateStart = this.writesBy(tS);
    this.rateStartS = tS;
    this.pagesPerS = pagesPerS;
  }

  /** PEEK: whether region page `index` was written since the last clean(). */
  isDirty(index: number): boolean {
    return (this.words[index >>> 5]! & (1 << (index & 31))) !== 0;
  }

  /** Applies every write up to time `tS`. */
  advanceTo(tS: number): void {
    const regionPages = this.region.length;
    if (this.pagesPerS <= 0 || regionPages === 0) return;
    const lastWrite = Math.floor(this.writesAtRateStart + (tS - this.rateStartS) * this.pagesPerS);
    if (lastWrite <= this.appliedWrites) return;
    this.dirtyCount = this.random.scatterBits(this.words, regionPages, lastWrite - this.appliedWrites, this.dirtyCount);
    this.appliedWrites = lastWrite;
  }

  /** CLEAN: the region indices dirtied since the last clean, in frame order; clears them. */
  clean(): Int32Array {
    const indices = new Int32Array(this.dirtyCount);
    const { words } = this;
    let found = 0;
    for (let w = 0; w < words.length; w++) {
      let word = words[w]!;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        indices[found++] = w * 32 + bit;
        word &= word - 1;
      }
      words[w] = 0;
    }
    this.dirtyCount = 0;
    return indices;
  }
}

/**
 * Picks `regionPages` distinct frames out of `guestPages`, uniformly, in
 * frame order (Knuth's selection sampling: one pass, no shuffle).
 */
export function scatteredRegion(guestPages: number, regionPages: number, random: Random): Int32Array {
  if (regionPages > guestPages) throw new Error(`dirty region (${regionPages} pages) exceeds the guest (${guestPages} pages)`);
  const frames = new Int32Array(regionPages);
  let chosen = 0;
  for (let frame = 0; frame < guestPages && chosen < regionPages; frame++) {
    if (random.next() * (guestPages - frame) < regionPages - chosen) frames[chosen++] = frame;
  }
  return frames;
}
