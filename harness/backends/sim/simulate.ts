import type { MigrationPoint } from '../../experiment.ts';
import { TimeBins } from '../../series.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { accessPerByte, COPY_PATHS } from './copy-paths.ts';
import { DirtyLog, scatteredRegion } from './dirty-log.ts';
import { PAPER_PARAMETERS, cpuSecondsPerStreamByte, pathBytesPerS, type SimParameters } from './parameters.ts';
import { simulatePrecopy } from './precopy.ts';
import { Random } from './rng.ts';
import { planWebService, webServiceTimeline, withStreamRate } from './web.ts';
import { simulateZeroCopy } from './zerocopy.ts';

const BITS_PER_BYTE = 8;

/** One migration of one point, deterministic in its seed. */
export function simulateMigration(
  point: MigrationPoint,
  seed: number,
  parameters: SimParameters = PAPER_PARAMETERS,
): MigrationMeasurement {
  const pagesPerMb = (1024 * 1024) / parameters.pageBytes;
  const guestPages = point.memoryMb * pagesPerMb;
  const link = new LinkRecorder(parameters.wireBytesPerStreamByte);
  const cpu = new CpuRecorder();
  if (point.system === 'vmbeam') {
    // Only xl's control records cross the (emulated) network, at Xen-Nest's path rate.
    const controlBytesPerS = pathBytesPerS(parameters.precopyPaths['xen-nest'].stages, parameters.stageThroughputMbps);
    const result = simulateZeroCopy({ guestPages, ...parameters.zeroCopy });
    link.stream(0, parameters.setupRecordBytes, controlBytesPerS);
    link.stream(result.suspendS, parameters.finalStateBytes, controlBytesPerS);
    // Sharing and release are hypercalls from the source guest Dom0's vCPU: it runs flat out.
    const { setupS, sharePerPageS, releasePerPageS } = parameters.zeroCopy;
    cpu.add(setupS, result.suspendS, guestPages * sharePerPageS);
    cpu.add(result.suspendS, result.suspendS + guestPages * releasePerPageS, guestPages * releasePerPageS);
    return {
      migrationTimeS: result.migrationTimeS,
      downtimeS: result.downtimeS,
      iterations: 1,
      pagesSent: 0,
      transferredBytes: guestPages * parameters.pageBytes,
      memoryAccessBytes: 0,
      ...link.summary(),
      ...cpu.summary(),
    };
  }

  const path = parameters.precopyPaths[point.system];
  const streamBytesPerS = pathBytesPerS(path.stages, parameters.stageThroughputMbps);
  const random = new Random(seed);
  const region = guestRegion(guestPages, point.dirtyRegionMb * pagesPerMb, parameters.guestLayoutSeed);
  const setupS = parameters.precopySetupS;
  link.stream(0, parameters.setupRecordBytes, streamBytesPerS);
  const cpuPerByte = cpuSecondsPerStreamByte(path.stages, parameters);
  const result = simulatePrecopy({
    guestPages,
    dirtyLog: new DirtyLog(region, point.dirtyPagesPerS, setupS, random),
    streamBytesPerS,
    setupS,
    finalStageS: path.finalStageS,
    policy: parameters.policy,
    pageBytes: parameters.pageBytes,
    pageHeaderBytes: parameters.pageHeaderBytes,
    batchHeaderBytes: parameters.batchHeaderBytes,
    onStream: (startS, endS, bytes) => {
      link.add(startS, endS, bytes);
      cpu.add(startS, endS, bytes * cpuPerByte);
    },
  });
  const finalPassEndS = result.passes[result.passes.length - 1]!.endS;
  link.stream(finalPassEndS, parameters.finalStateBytes, streamBytesPerS);
  return {
    migrationTimeS: result.migrationTimeS,
    downtimeS: result.downtimeS,
    iterations: result.passes.length,
    pagesSent: result.pagesSent,
    transferredBytes: result.pagesSent * parameters.pageBytes,
    memoryAccessBytes: result.pagesSent * parameters.pageBytes * accessPerByte(COPY_PATHS[point.system]),
    ...link.summary(),
    ...cpu.summary(),
  };
}

/** Fig. 7: the guest's web service while it migrates, its stream slowed to the NIC share it gets. */
export function simulateService(
  point: MigrationPoint,
  seed: number,
  parameters: SimParameters = PAPER_PARAMETERS,
): ServiceMeasurement {
  const plan = planWebService(point, parameters);
  const migrationParameters =
    plan.migrationStreamBytesPerS === undefined
      ? parameters
      : withStreamRate(parameters, point.system, plan.migrationStreamBytesPerS);
  return webServiceTimeline(plan, simulateMigration(point, seed, migrationParameters), parameters);
}

const regions = new Map<string, Int32Array>();

/**
 * Where the workload's region lies in the guest's frames is a property of
 * the guest (drawn once, like one boot of the paper's guest), not of a
 * repetition: repetitions differ in the workload's writes.
 */
function guestRegion(guestPages: number, regionPages: number, layoutSeed: number): Int32Array {
  const key = `${guestPages}/${regionPages}/${layoutSeed}`;
  let region = regions.get(key);
  if (region === undefined) {
    region = scatteredRegion(guestPages, regionPages, new Random(layoutSeed));
    regions.set(key, region);
  }
  return region;
}

/** Turns migration-stream bytes into bytes on the wire, in 1 s bins. */
class LinkRecorder {
  private readonly bins = new TimeBins();

  constructor(private readonly wireBytesPerStreamByte: number) {}

  private wireBytes = 0;
  private firstS = Number.POSITIVE_INFINITY;
  private lastS = 0;

  add(startS: number, endS: number, streamBytes: number): void {
    const wire = streamBytes * this.wireBytesPerStreamByte;
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

/** CPU-seconds spent over time, in 1 s bins, as utilisation (100 % = one core). */
class CpuRecorder {
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
