/**
 * A small seeded generator (sfc32, seeded through splitmix32): fast, with a
 * 128-bit state, and identical on every platform, so a seed names a result.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** Uniform integer in [0, 2^32). */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform integer in [0, bound), for bound <= 2^32. */
  below(bound: number): number {
    return Math.floor((this.next32() / 4294967296) * bound);
  }

  /**
   * Draws up to `draws` uniform indices in [0, bound) and sets their bits
   * in `words`, stopping early once all `bound` bits are set. `setBits` is
   * how many are set already; returns how many are set afterwards. The
   * generator's state stays in locals for the whole loop: this is the
   * simulator's hot path (millions of page writes per figure).
   */
  scatterBits(words: Uint32Array, bound: number, draws: number, setBits: number): number {
    let { a, b, c, d } = this;
    let set = setBits;
    for (let drawn = 0; drawn < draws && set < bound; drawn++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const index = Math.floor(((t >>> 0) / 4294967296) * bound);
      const mask = 1 << (index & 31);
      const word = words[index >>> 5]!;
      if ((word & mask) === 0) {
        words[index >>> 5] = word | mask;
        set++;
      }
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return set;
  }
}
