/**
 * What a simulated migration puts on the link and what CPU it costs, in
 * 1 s bins, as the measurement reports them.
 */
import { TimeBins } from '../../series.ts';
import type { MigrationMeasurement } from '../backend.ts';

const BITS_PER_BYTE = 8;

/** Turns migration-stream bytes into bytes on the wire, in 1 s bins. */
export class LinkRecorder {
  private readonly bins = new TimeBins();
  private wireBytes = 0;
  private firstS = Number.POSITIVE_INFINITY;
  private lastS = 0;

  constructor(private readonly wireBytesPerStreamByte: number) {}

  add(startS: number, endS: number, streamBytes: number): void {
    const wire = streamBytes * this.wireBytesPerStreamByte;
    this.bins.add(startS, endS, wire);
    this.wireBytes += wire;
    this.firstS = Math.min(this.firstS, startS);
    this.lastS = Math.max(this.lastS, endS);
  }

  /** `streamBytes` sent from `startS` at `bytesPerS`; returns when the last byte left. */
  stream(startS: number, streamBytes: number, bytesPerS: number): number {
    const endS = startS + streamBytes / bytesPerS;
    this.add(startS, endS, streamBytes);
    return endS;
  }

  summary(): Pick<MigrationMeasurement, 'networkBytes' | 'transferDurationS' | 'bandwidthSeries'> {
    return {
      networkBytes: Math.round(this.wireBytes),
      transferDurationS: this.lastS - this.firstS,
      bandwidthSeries: this.bins.totals().map((bytes, bin) => ({ tS: bin, value: (bytes * BITS_PER_BYTE) / 1e6 })),
    };
  }
}

/** CPU-seconds spent over time, in 1 s bins, as utilisation (100 % = one core). */
export class CpuRecorder {
  private readonly bins = new TimeBins();
  private totalS = 0;

  add(startS: number, endS: number, cpuSeconds: number): void {
    this.bins.add(startS, endS, cpuSeconds);
    this.totalS += cpuSeconds;
  }

  summary(): Pick<MigrationMeasurement, 'cpuTimeS' | 'cpuSeries'> {
    return {
      cpuTimeS: this.totalS,
      cpuSeries: this.bins.totals().map((seconds, bin) => ({ tS: bin, value: seconds * 100 })),
    };
  }
}
