import type { FigureId, MigrationExperiment, Scale } from '../harness/experiment.ts';

/**
 * `paper` runs the brief's sweeps as they are. `ci` shrinks them for a real
 * testbed on one small machine: guests of 128 to 512 MB, Fig. 6 with a
 * 512 MB guest and a 256 MB region, one repetition.
 */

type Override = Partial<Pick<MigrationExperiment, 'memoryMb' | 'dirtyRegionMb' | 'dirtyPagesPerS'>>;

const CI_OVERRIDES: Readonly<Partial<Record<FigureId, Override>>> = {
  '2': { memoryMb: [128, 256, 512] },
  '3': { memoryMb: [512] },
  '4': { memoryMb: [512] },
  '5': { memoryMb: [512] },
  '6': { memoryMb: [512], dirtyRegionMb: 256, dirtyPagesPerS: [0, 2000, 8000] },
  '7': { memoryMb: [256] },
};

export const REPETITIONS_AT_SCALE: Readonly<Record<Scale, number>> = { paper: 5, ci: 1 };

export function atScale(experiment: MigrationExperiment, scale: Scale): MigrationExperiment {
  return scale === 'paper' ? experiment : { ...experiment, ...CI_OVERRIDES[experiment.figure] };
}
