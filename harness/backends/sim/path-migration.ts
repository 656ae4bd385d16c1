/**
 * One pre-copy migration over a paper system's path, whoever's policy
 * drives it (Xen 4.2.2's, or QEMU's with its schemes' hooks): the guest and
 * its workload, the loop, the link and CPU it costs, and the experiment's
 * give-up time. Pure: deterministic in the seed.
 */
import { gaveUpError, type MigrationPoint } from '../../experiment.ts';
import type { PaperSystemName } from '../../systems.ts';
import { Random } from '../../random.ts';
import type { MigrationMeasurement } from '../backend.ts';
import { accessPerByte, COPY_PATHS } from './copy-paths.ts';
import { cpuSecondsPerStreamByte } from './derived.ts';
import { DirtyLog } from './dirty-log.ts';
import { guestRegion, outsideRegionBytes, workloadRegionPages } from './guest.ts';
import type { PrecopyPolicy, SimParameters } from './parameter-types.ts';
import {
  PrecopyTimeout,
  simulatePrecopyThenHandover,
  type PrecopyHandover,
  type PrecopyInput,
  type PrecopyResult,
} from './precopy.ts';
import { CpuRecorder, LinkRecorder } from './recorders.ts';

export type PrecopySystem = Exclude<PaperSystemName, 'vmbeam'>;

/** What a scheme hooks into the loop, given the run's dirty log and region. */
export type SchemeHooks = (run: { readonly log: DirtyLog; readonly region: Int32Array }) => Pick<PrecopyInput, 'onSync' | 'resentPageBytes'>;

export interface PathMigration {
  readonly point: MigrationPoint;
  readonly seed: number;
  readonly parameters: SimParameters;
  /** The paper system whose path (copies, framing, CPU, final stage) the stream crosses. */
  readonly carrier: PrecopySystem;
  readonly policy: PrecopyPolicy;
  readonly streamBytesPerS: number;
  readonly pageHeaderBytes: number;
  readonly batchHeaderBytes: number;
  /** A page's bytes on the stream where a scheme frames pages its own way (multifd). Absent: data plus header. */
  readonly pageBytesOnWire?: number;
  readonly inFlightBytesAtStop: number;
  readonly p2mFrames: number;
  readonly downtimeLimitS?: number;
  readonly hooks?: SchemeHooks;
  /** Post-copy: hand the dirty pages over after this many live passes. */
  readonly handoverAfterPasses?: number;
  /** What a scheme adds to the message when the experiment gives up on it (auto-converge: its throttle). */
  readonly giveUpNote?: () => string;
}

export interface PathRun {
  readonly outcome: PrecopyResult | PrecopyHandover;
  readonly link: LinkRecorder;
  readonly cpu: CpuRecorder;
  readonly cpuPerStreamByte: number;
  readonly guestPages: number;
  readonly region: Int32Array;
}

/** A migration the experiment gave up on: the runner records it as a failed row, an outcome of its scheme. */
export const didNotConverge = gaveUpError;

/** Runs the loop; throws where the policy's timeout or the experiment's give-up time cancels it. */
export function runPathMigration(migration: PathMigration): PathRun {
  const { point, parameters, carrier } = migration;
  const path = parameters.precopyPaths[carrier];
  const pagesPerMb = (1024 * 1024) / parameters.pageBytes;
  const guestPages = point.memoryMb * pagesPerMb;
  const regionPages = workloadRegionPages(point.memoryMb, point.dirtyRegionMb, parameters);
  const region = guestRegion(guestPages, regionPages, parameters.guestLayoutSeed);
  const random = new Random(migration.seed);
  const setupS = parameters.precopySetupS;
  const log = new DirtyLog(region, point.dirtyPagesPerS, setupS, random);
  const link = new LinkRecorder(path.wireBytesPerStreamByte);
  const cpu = new CpuRecorder();
  const bytesPerS = migration.streamBytesPerS;
  const cpuPerStreamByte = cpuSecondsPerStreamByte(path.stages, parameters);
  link.stream(0, parameters.setupRecordBytes, bytesPerS);
  const giveUpS = point.giveUpAfterS;
  const timeoutS = Math.min(migration.policy.timeoutS ?? Number.POSITIVE_INFINITY, giveUpS ?? Number.POSITIVE_INFINITY);
  // A scheme's own page framing counts as the page's header.
  const pageHeaderBytes = (migration.pageBytesOnWire ?? parameters.pageBytes + migration.pageHeaderBytes) - parameters.pageBytes;
  const input: PrecopyInput = {
    guestPages,
    dirtyLog: log,
    streamBytesPerS: bytesPerS,
    setupS,
    // The bytes still queued at suspension drain before the guest can resume.
    finalStageS: path.finalStageS + migration.inFlightBytesAtStop / bytesPerS,
    policy: Number.isFinite(timeoutS) ? { ...migration.policy, timeoutS } : migration.policy,
    pageBytes: parameters.pageBytes,
    pageHeaderBytes,
    batchHeaderBytes: migration.batchHeaderBytes,
    ...outsideRegionBytes(point.memoryMb, guestPages, regionPages, parameters, pageHeaderBytes),
    p2mFrames: migration.p2mFrames,
    ...(migration.downtimeLimitS === undefined ? {} : { downtimeLimitS: migration.downtimeLimitS }),
    onStream: (startS, endS, bytes) => {
      link.add(startS, endS, bytes);
      cpu.add(startS, endS, bytes * cpuPerStreamByte);
    },
    ...migration.hooks?.({ log, region }),
  };
  let outcome: PrecopyResult | PrecopyHandover;
  try {
    outcome = simulatePrecopyThenHandover(input, migration.handoverAfterPasses ?? Number.POSITIVE_INFINITY);
  } catch (error) {
    if (error instanceof PrecopyTimeout && giveUpS !== undefined && giveUpS <= (migration.policy.timeoutS ?? Number.POSITIVE_INFINITY)) {
      const note = migration.giveUpNote?.();
      throw didNotConverge(giveUpS, `${error.passes} passes, ${error.framesSent} pages sent${note === undefined ? '' : `, ${note}`}: the dirty pages never fit the downtime limit`);
    }
    throw error;
  }
  if (outcome.kind === 'completed' && giveUpS !== undefined && outcome.migrationTimeS > giveUpS) {
    throw didNotConverge(giveUpS, `its final pass would have ended at ${outcome.migrationTimeS.toFixed(0)} s`);
  }
  return { outcome, link, cpu, cpuPerStreamByte, guestPages, region };
}

/**
 * CPU the migration costs beyond its stream: the guest running at the
 * source until `guestStopS`, pass 1's zero-page checks, and the fixed cost
 * of saving and loading the device state, spread over [stateFromS, stateToS].
 */
export function addFixedCpu(run: PathRun, parameters: SimParameters, guestStopS: number, stateFromS: number, stateToS: number): void {
  const { cpu, outcome, guestPages } = run;
  const firstPass = outcome.passes[0]!;
  // (Zero-copy's few milliseconds of a running guest are in its measured fixed cost.)
  if (parameters.runningGuestCpuSPerS > 0) cpu.add(0, guestStopS, guestStopS * parameters.runningGuestCpuSPerS);
  cpu.add(firstPass.startS, firstPass.endS, (guestPages * parameters.pageBytes * parameters.zeroCheckCopiesPerByte) / parameters.memoryCopyBytesPerS);
  cpu.add(stateFromS, stateToS, parameters.fixedCpuS);
}

/** The measurement of a pre-copy that completed. */
export function completedMeasurement(run: PathRun, result: PrecopyResult, migration: PathMigration, initialBitmapSyncs: number): MigrationMeasurement {
  const { parameters } = migration;
  const finalPass = result.passes[result.passes.length - 1]!;
  const finalPassEndS = finalPass.endS;
  addFixedCpu(run, parameters, finalPass.startS, finalPassEndS, result.migrationTimeS);
  run.link.stream(finalPassEndS, parameters.finalStateBytes, migration.streamBytesPerS);
  return {
    migrationTimeS: result.migrationTimeS,
    downtimeS: result.downtimeS,
    iterations: result.passes.length + initialBitmapSyncs,
    pagesSent: result.pagesSent + parameters.nonGuestRamPages,
    transferredBytes: (result.pagesSent + parameters.nonGuestRamPages) * parameters.pageBytes,
    memoryAccessBytes: result.pagesSent * parameters.pageBytes * accessPerByte(COPY_PATHS[migration.carrier]),
    ...run.link.summary(),
    ...run.cpu.summary(),
  };
}
