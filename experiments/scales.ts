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

/**
 * `nested`: the local nested-Xen testbed (two QEMU TCG cloud VMs running
 * Xen 4.17) on one small machine: guests of 96 to 256 MB (Debian's kernel
 * needs 96 MB), Fig. 6 with a 128 MB guest and a 64 MB region at 0, 1,000
 * and 4,000 pages/s (its links carry about 2,000 pages/s), one repetition.
 */
const NESTED_OVERRIDES: Readonly<Partial<Record<FigureId, Override>>> = {
  '2': { memoryMb: [96, 128, 256] },
  '3': { memoryMb: [256] },
  '4': { memoryMb: [256] },
  '6': { memoryMb: [128], dirtyRegionMb: 64, dirtyPagesPerS: [0, 1000, 4000] },
};

export const REPETITIONS_AT_SCALE: Readonly<Record<Scale, number>> = { paper: 5, ci: 1, nested: 1 };

export function atScale(experiment: MigrationExperiment, scale: Scale): MigrationExperiment {
  if (scale === 'paper') return experiment;
  return { ...experiment, ...(scale === 'ci' ? CI_OVERRIDES : NESTED_OVERRIDES)[experiment.figure] };
}
