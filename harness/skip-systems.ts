/**
 * A testbed runs only some of the paper's systems (the local nested-Xen
 * testbed has no VMBeam build and no physical hosts; a user's testbed file
 * lists its own). Points of the others are not run at all: they are neither
 * measured nor failed, and the run says once which systems it skips. Pure.
 */
import type { MigrationExperiment } from './experiment.ts';
import type { SystemName } from './systems.ts';

export interface Restricted {
  readonly experiments: MigrationExperiment[];
  /** Systems some experiment wanted that the testbed does not run, in first-seen order. */
  readonly skipped: SystemName[];
}

/** `runs` undefined means the backend runs every system. */
export function restrictToSystems(experiments: readonly MigrationExperiment[], runs: readonly SystemName[] | undefined): Restricted {
  if (runs === undefined) return { experiments: [...experiments], skipped: [] };
  const skipped: SystemName[] = [];
  const restricted = experiments.map((experiment) => {
    for (const system of experiment.systems) if (!runs.includes(system) && !skipped.includes(system)) skipped.push(system);
    return { ...experiment, systems: experiment.systems.filter((system) => runs.includes(system)) };
  });
  return { experiments: restricted, skipped };
}

/** The one line a run prints about what it skips. */
export function skipLine(skipped: readonly SystemName[], testbed: string): string {
  return `skipping ${skipped.join(', ')}: not on this ${testbed} testbed`;
}
