/**
 * What the runner may know of a simulated point before simulating it:
 * whether its result depends on the seed, and how much work it is. Pure.
 */
import type { MigrationPoint } from '../../experiment.ts';
import { carrierOf, isPaperSystem } from '../../systems.ts';
import { autoChoice } from './auto.ts';
import { precopyCeiling } from './ceiling.ts';
import { streamBytesPerS } from './derived.ts';
import { p2mFrames } from './p2m.ts';
import type { SimParameters } from './parameter-types.ts';
import type { PrecopySystem } from './path-migration.ts';

/** The system a point's migration runs: `auto`'s choice, or the point's own. */
function systemRun(point: MigrationPoint, parameters: SimParameters): MigrationPoint['system'] {
  return point.system === 'auto' ? autoChoice(point, parameters).system : point.system;
}

/**
 * The model draws random numbers only for a guest's writes, and zero-copy
 * never looks at them: an idle guest's migration, and any zero-copy one,
 * is the same in every repetition.
 */
export function drawsNothing(point: MigrationPoint, parameters: SimParameters): boolean {
  return point.dirtyPagesPerS === 0 || systemRun(point, parameters) === 'vmbeam';
}

/**
 * A migration's fixed cost in page events (set-up, the result's series):
 * about 0.05 ms, at 3 to 15 ns a page event, measured once on the
 * development host. It only weighs points against each other for the ETA
 * and the shards; no result depends on it.
 */
const MIGRATION_OVERHEAD_EVENTS = 10_000;

/**
 * The model's work for a point, in page events, an upper bound: the writes
 * it draws and the pages it sends over the longest the migration may run
 * (the experiment's give-up time, or a Xen policy's ceiling, ceiling.ts).
 * An idle guest's pass skips its untouched frames in one step and
 * zero-copy is a handful of arithmetic: their work is the fixed cost.
 */
export function expectedWork(point: MigrationPoint, parameters: SimParameters): number {
  const system = systemRun(point, parameters);
  if (system === 'vmbeam' || point.dirtyPagesPerS === 0) return MIGRATION_OVERHEAD_EVENTS;
  const guestPages = (point.memoryMb * 1024 * 1024) / parameters.pageBytes;
  const carrier = carrierOf(system) as PrecopySystem;
  const path = parameters.precopyPaths[carrier];
  const bytesPerS = streamBytesPerS(path.stages, parameters);
  const horizonS = isPaperSystem(system)
    ? precopyCeiling({
        guestPages,
        regionPages: (point.dirtyRegionMb * 1024 * 1024) / parameters.pageBytes,
        policy: parameters.policy,
        pageBytes: parameters.pageBytes,
        pageHeaderBytes: parameters.pageHeaderBytes,
        batchHeaderBytes: parameters.batchHeaderBytes,
        streamBytesPerS: bytesPerS,
        setupS: parameters.precopySetupS,
        finalStageS: path.finalStageS,
        p2mFrames: p2mFrames(guestPages, parameters.guestP2m[carrier]),
      }).maxMigrationTimeS
    : undefined;
  const limitS = Math.min(horizonS ?? Number.POSITIVE_INFINITY, point.giveUpAfterS ?? Number.POSITIVE_INFINITY, parameters.policy.timeoutS ?? Number.POSITIVE_INFINITY);
  // Without a bound (a QEMU scheme, no give-up time) it sends the guest at least once.
  const boundS = Number.isFinite(limitS) ? limitS : (guestPages * parameters.pageBytes) / bytesPerS;
  return MIGRATION_OVERHEAD_EVENTS + (point.dirtyPagesPerS + bytesPerS / parameters.pageBytes) * boundS;
}
