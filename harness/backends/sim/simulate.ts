import type { MigrationPoint } from '../../experiment.ts';
import { TimeBins } from '../../series.ts';
import type { MigrationMeasurement } from '../backend.ts';
import { DirtyLog, scatteredRegion } from './dirty-log.ts';
import * as parameters from './parameters.ts';
import { simulatePrecopy } from './precopy.ts';
import { Random } from './rng.ts';
import { simulateZeroCopy } from './zerocopy.ts';

const PAGES_PER_MB = (1024 * 1024) / parameters.PAGE_BYTES;
const BITS_PER_BYTE = 8;

/** One migration of one point, deterministic in its seed. */
export function simulateMigration(point: MigrationPoint, seed: number): MigrationMeasurement {
  const guestPages = point.memoryMb * PAGES_PER_MB;
  const link = new LinkRecorder();
  if (point.system === 'vmbeam') {
    // Only xl's control records cross the (emulated) network, at Xen-Nest's path rate.
    const controlBytesPerS = parameters.pathBytesPerS(parameters.PRECOPY_PATHS['xen-nest'].stages);
    const result = simulateZeroCopy({ guestPages, ...parameters.ZERO_COPY });
    link.stream(0, parameters.SETUP_RECORD_BYTES, controlBytesPerS);
    link.stream(result.suspendS, parameters.FINAL_STATE_BYTES, controlBytesPerS);
    return {
      migrationTimeS: result.migrationTimeS,
      downtimeS: result.downtimeS,
      iterations: 1,
      pagesSent: 0,
      ...link.summary(),
    };
  }

  const path = parameters.PRECOPY_PATHS[point.system];
  const streamBytesPerS = parameters.pathBytesPerS(path.stages);
  const random = new Random(seed);
  const region = guestRegion(guestPages, point.dirtyRegionMb * PAGES_PER_MB);
  const setupS = parameters.PRECOPY_SETUP_S;
  link.stream(0, parameters.SETUP_RECORD_BYTES, streamBytesPerS);
  const result = simulatePrecopy({
    guestPages,
    dirtyLog: new DirtyLog(region, point.dirtyPagesPerS, setupS, random),
    streamBytesPerS,
    setupS,
    finalStageS: path.finalStageS,
    policy: parameters.XEN_PRECOPY_POLICY,
    onStream: (startS, endS, bytes) => link.add(startS, endS, bytes),
  });
  const finalPassEndS = result.passes[result.passes.length - 1]!.endS;
  link.stream(finalPassEndS, parameters.FINAL_STATE_BYTES, streamBytesPerS);
  return {
    migrationTimeS: result.migrationTimeS,
    downtimeS: result.downtimeS,
    iterations: result.passes.length,
    pagesSent: result.pagesSent,
    ...link.summary(),
  };
}

const regions = new Map<string, Int32Array>();

/**
 * Where the workload's region lies in the guest's frames is a property of
 * the guest (drawn once, like one boot of the paper's guest), not of a
 * repetition: repetitions differ in the workload's writes.
 */
function guestRegion(guestPages: number, regionPages: number): Int32Array {
  const key = `${guestPages}/${regionPages}`;
  let region = regions.get(key);
  if (region === undefined) {
    region = scatteredRegion(guestPages, regionPages, new Random(parameters.GUEST_LAYOUT_SEED));
    regions.set(key, region);
  }
  return region;
}

/** Turns migration-stream bytes into bytes on the wire, in 1 s bins. */
class LinkRecorder {
  private readonly bins = new TimeBins();
  private wireBytes = 0;
  private firstS = Number.POSITIVE_INFINITY;
  private lastS = 0;

  add(startS: number, endS: number, streamBytes: number): void {
    const wire = streamBytes * parameters.WIRE_BYTES_PER_STREAM_BYTE;
    this.bins.add(startS, endS, wire);
    this.wireBytes += wire;
    this.firstS = Math.min(this.firstS, startS);
    this.lastS = Math.max(this.lastS, endS);
  }

  stream(startS: number, streamBytes: number, bytesPerS: number): void {
    this.add(startS, startS + streamBytes / bytesPerS, streamBytes);
  }

  summary(): Pick<MigrationMeasurement, 'networkBytes' | 'transferDurationS' | 'bandwidthSeries'> {
    return {
      networkBytes: Math.round(this.wireBytes),
      transferDurationS: this.lastS - this.firstS,
      bandwidthSeries: this.bins.totals().map((bytes, bin) => ({ tS: bin, value: (bytes * BITS_PER_BYTE) / 1e6 })),
    };
  }
}
