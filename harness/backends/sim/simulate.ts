import type { MigrationPoint } from '../../experiment.ts';
import { TimeBins } from '../../series.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { accessPerByte, COPY_PATHS } from './copy-paths.ts';
import { DirtyLog, scatteredRegion } from './dirty-log.ts';
import { p2mFrames } from './p2m.ts';
import { cpuSecondsPerStreamByte, dataPages, streamBytesPerS } from './derived.ts';
import { PAPER_PARAMETERS, type SimParameters } from './parameters.ts';
import { simulatePrecopy } from './precopy.ts';
import { Random } from '../../random.ts';
import { isPaperSystem } from '../../systems.ts';
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
  const cpu = new CpuRecorder();
  if (point.system === 'vmbeam') {
    // Only the control records cross the network (paper: xl's, through Xen-Nest's path).
    const { zeroCopy } = parameters;
    const link = new LinkRecorder(zeroCopy.controlWireBytesPerStreamByte);
    const controlBytesPerS = streamBytesPerS(zeroCopy.controlStages, parameters);
    const result = simulateZeroCopy({ guestPages, ...zeroCopy });
    link.stream(0, parameters.setupRecordBytes, controlBytesPerS);
    link.stream(result.suspendS, parameters.finalStateBytes, controlBytesPerS);
    // Sharing and release are hypercalls from the source guest Dom0's vCPU: it runs flat out,
    // and the destination guest Dom0 keeps pace establishing each page in the new guest (R1).
    const { setupS, sharePerPageS, releasePerPageS, destinationCpuSPerSourceCpuS } = zeroCopy;
    cpu.add(setupS, result.suspendS, guestPages * sharePerPageS * (1 + destinationCpuSPerSourceCpuS));
    cpu.add(result.suspendS, result.suspendS + guestPages * releasePerPageS, guestPages * releasePerPageS);
    cpu.add(result.suspendS, result.migrationTimeS, parameters.fixedCpuS);
    return {
      migrationTimeS: result.migrationTimeS,
      downtimeS: result.downtimeS,
      iterations: 1 + parameters.initialBitmapSyncs,
      pagesSent: parameters.nonGuestRamPages,
      transferredBytes: guestPages * parameters.pageBytes,
      memoryAccessBytes: 0,
      ...link.summary(),
      ...cpu.summary(),
    };
  }

  const system = point.system;
  if (!isPaperSystem(system)) throw new Error(`the simulator has no model of ${system}`);
  const path = parameters.precopyPaths[system];
  const link = new LinkRecorder(path.wireBytesPerStreamByte);
  const bytesPerS = streamBytesPerS(path.stages, parameters);
  const random = new Random(seed);
  const regionPages = point.dirtyRegionMb * pagesPerMb;
  const region = guestRegion(guestPages, regionPages, parameters.guestLayoutSeed);
  const setupS = parameters.precopySetupS;
  link.stream(0, parameters.setupRecordBytes, bytesPerS);
  const cpuPerByte = cpuSecondsPerStreamByte(path.stages, parameters);
  const result = simulatePrecopy({
    guestPages,
    dirtyLog: new DirtyLog(region, point.dirtyPagesPerS, setupS, random),
    streamBytesPerS: bytesPerS,
    setupS,
    // The bytes still queued at suspension drain before the guest can resume.
    finalStageS: path.finalStageS + path.inFlightBytesAtStop / bytesPerS,
    policy: parameters.policy,
    pageBytes: parameters.pageBytes,
    pageHeaderBytes: parameters.pageHeaderBytes,
    batchHeaderBytes: parameters.batchHeaderBytes,
    ...outsideRegionBytes(point.memoryMb, guestPages, region.length, parameters),
    p2mFrames: p2mFrames(guestPages, parameters.guestP2m[system]),
    ...(path.downtimeLimitS === undefined ? {} : { downtimeLimitS: path.downtimeLimitS }),
    onStream: (startS, endS, bytes) => {
      link.add(startS, endS, bytes);
      cpu.add(startS, endS, bytes * cpuPerByte);
    },
  });
  const firstPass = result.passes[0]!;
  const finalPass = result.passes[result.passes.length - 1]!;
  const finalPassEndS = finalPass.endS;
  // The guest runs until the final pass suspends it. (Zero-copy's few milliseconds of it are in its measured fixed cost.)
  if (parameters.runningGuestCpuSPerS > 0) cpu.add(0, finalPass.startS, finalPass.startS * parameters.runningGuestCpuSPerS);
  cpu.add(firstPass.startS, firstPass.endS, (guestPages * parameters.pageBytes * parameters.zeroCheckCopiesPerByte) / parameters.memoryCopyBytesPerS);
  cpu.add(finalPassEndS, result.migrationTimeS, parameters.fixedCpuS);
  link.stream(finalPassEndS, parameters.finalStateBytes, bytesPerS);
  return {
    migrationTimeS: result.migrationTimeS,
    downtimeS: result.downtimeS,
    iterations: result.passes.length + parameters.initialBitmapSyncs,
    pagesSent: result.pagesSent + parameters.nonGuestRamPages,
    transferredBytes: (result.pagesSent + parameters.nonGuestRamPages) * parameters.pageBytes,
    memoryAccessBytes: result.pagesSent * parameters.pageBytes * accessPerByte(COPY_PATHS[system]),
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

/**
 * Pass 1's mean stream bytes per page outside the workload's region, where
 * the guest's zero pages are (the workload's region is filled with data);
 * nothing when every page holds data.
 */
function outsideRegionBytes(
  memoryMb: number,
  guestPages: number,
  regionPages: number,
  parameters: SimParameters,
): { outsideRegionPageBytesOnWire?: number } {
  const guest = parameters.guestMemory;
  if (guest.kind === 'all-data') return {};
  const outside = guestPages - regionPages;
  if (outside <= 0) return {};
  const zero = guestPages - dataPages(memoryMb, guest, parameters.pageBytes);
  const fullPage = parameters.pageBytes + parameters.pageHeaderBytes;
  const zeroOutside = Math.min(zero, outside);
  return { outsideRegionPageBytesOnWire: ((outside - zeroOutside) * fullPage + zeroOutside * guest.zeroPageBytes) / outside };
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
