/**
 * `auto` in the simulator: the facts it would find before migrating (where
 * the destination is, the link's page rate, the guest's dirty rate), the
 * choice chooseScheme makes of them, and the chosen scheme's migration.
 * Pure.
 */
import { chooseScheme, type Choice, type Whereabouts } from '../../choose-scheme.ts';
import type { MigrationPoint } from '../../experiment.ts';
import { carrierOf } from '../../systems.ts';
import type { MigrationMeasurement } from '../backend.ts';
import { streamBytesPerS } from './derived.ts';
import type { SimParameters } from './parameter-types.ts';
import type { PrecopySystem } from './path-migration.ts';

/** What `auto` learns: the profile's placement, and the page rate of the link it would pre-copy over. */
export function autoFacts(point: MigrationPoint, parameters: SimParameters): Whereabouts {
  const path = parameters.precopyPaths[carrierOf(point.system) as PrecopySystem];
  return {
    ...parameters.placement,
    linkPagesPerS: streamBytesPerS(path.stages, parameters) / parameters.pageBytes,
    dirtyPagesPerS: point.dirtyPagesPerS,
  };
}

export function autoChoice(point: MigrationPoint, parameters: SimParameters): Choice {
  return chooseScheme(autoFacts(point, parameters));
}

/** The chosen scheme's migration of the same guest, with the choice recorded. */
export function simulateAuto(
  point: MigrationPoint,
  seed: number,
  parameters: SimParameters,
  simulate: (point: MigrationPoint, seed: number, parameters: SimParameters) => MigrationMeasurement,
): MigrationMeasurement {
  const chosen = autoChoice(point, parameters);
  return { ...simulate({ ...point, system: chosen.system }, seed, parameters), chosen };
}
