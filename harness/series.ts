/**
 * Accumulates amounts (bytes, CPU seconds) that flow over time intervals
 * into fixed 1 s bins, spreading each interval's amount evenly over the
 * time it covers.
 */
export class TimeBins {
  private bins = new Float64Array(64);
  private used = 0;

  constructor(readonly binS = 1) {}

  add(startS: number, endS: number, amount: number): void {
    if (amount === 0) return;
    if (endS <= startS) {
      this.addToBin(Math.floor(startS / this.binS), amount);
      return;
    }
    const perS = amount / (endS - startS);
    let t = startS;
    while (t < endS) {
      const bin = Math.floor(t / this.binS);
      const binEnd = Math.min(endS, (bin + 1) * this.binS);
      this.addToBin(bin, perS * (binEnd - t));
      t = binEnd;
    }
  }

  /** One amount per bin from 0 to the last non-empty bin. */
  totals(): number[] {
    return Array.from(this.bins.subarray(0, this.used));
  }

  private addToBin(bin: number, amount: number): void {
    if (bin >= this.bins.length) {
      const grown = new Float64Array(Math.max(bin + 1, this.bins.length * 2));
      grown.set(this.bins);
      this.bins = grown;
    }
    this.bins[bin]! += amount;
    this.used = Math.max(this.used, bin + 1);
  }
}
