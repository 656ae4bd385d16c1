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
import type { SimParameters } from './parameters.ts';
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
 * The model's work for a point, in page events: the pages it walks (the
 * guest at least once) and the writes it draws, over the longest the
 * migration may run: the experiment's give-up time, or for a Xen policy
 * its ceiling (ceiling.ts). Zero-copy's is a handful of arithmetic.
 */
export function expectedWork(point: MigrationPoint, parameters: SimParameters): number {
  const system = systemRun(point, parameters);
  if (system === 'vmbeam') return 1;
  const guestPages = (point.memoryMb * 1024 * 1024) / parameters.pageBytes;
  if (point.dirtyPagesPerS === 0) return guestPages;
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
  // Without a bound (a QEMU scheme and no give-up time) it runs at least a pass per page of the guest.
  const boundS = Number.isFinite(limitS) ? limitS : (guestPages * parameters.pageBytes) / bytesPerS;
  return guestPages + point.dirtyPagesPerS * boundS;
}
