import type { FigureId, MigrationExperiment, Scale } from '../harness/experiment.ts';

/**
 * `paper` runs the brief's sweeps as they are. `ci` shrinks them for a real
 * testbed on one small machine: guests of 128 to 512 MB, Fig. 6 with a
 * 512 MB guest and a 256 MB region, one repetition.
 */

type Override = Partial<Pick<MigrationExperiment, 'memoryMb' | 'dirtyRegionMb' | 'dirtyPagesPerS' | 'giveUpAfterS'>>;

const CI_OVERRIDES: Readonly<Partial<Record<FigureId, Override>>> = {
  '2': { memoryMb: [128, 256, 512] },
  '3': { memoryMb: [512] },
  '4': { memoryMb: [512] },
  '5': { memoryMb: [512] },
  '6': { memoryMb: [512], dirtyRegionMb: 256, dirtyPagesPerS: [0, 2000, 8000] },
  '7': { memoryMb: [256] },
  // 256 MB cross the qemu testbed's 100 Mbit/s link in about 22 s a pass.
  alternatives: { memoryMb: [256], dirtyRegionMb: 128, dirtyPagesPerS: [1000, 2000, 4000, 8000], giveUpAfterS: 240 },
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
  '5': { memoryMb: [256] },
  '6': { memoryMb: [128], dirtyRegionMb: 64, dirtyPagesPerS: [0, 1000, 4000] },
  '7': { memoryMb: [256] },
  alternatives: { memoryMb: [128], dirtyRegionMb: 64, dirtyPagesPerS: [1000, 4000], giveUpAfterS: 120 },
};

/**
 * `smoke`: the least a slow real testbed can show in CI (each local nested-Xen
 * migration takes about a minute): Fig. 2 at two sizes, so that its growth
 * with memory is seen, every other figure at its smallest nested point, and
 * the alternatives at one rate above the link.
 */
const SMOKE_OVERRIDES: Readonly<Partial<Record<FigureId, Override>>> = {
  '2': { memoryMb: [96, 128] },
  '3': { memoryMb: [128] },
  '4': { memoryMb: [128] },
  '5': { memoryMb: [128] },
  '6': { memoryMb: [128], dirtyRegionMb: 64, dirtyPagesPerS: [0, 4000] },
  '7': { memoryMb: [128] },
  // One rate above the qemu testbed's link (about 3,000 pages/s): every scheme at the rate where they differ.
  // 128 MB cross 100 Mbit/s in about 11 s a pass: four passes, then a non-converging scheme is given up.
  alternatives: { memoryMb: [128], dirtyRegionMb: 64, dirtyPagesPerS: [4000], giveUpAfterS: 45 },
};

export const REPETITIONS_AT_SCALE: Readonly<Record<Scale, number>> = { paper: 5, ci: 1, nested: 1, smoke: 1 };

const OVERRIDES: Readonly<Record<Exclude<Scale, 'paper'>, Readonly<Partial<Record<FigureId, Override>>>>> = {
  ci: CI_OVERRIDES,
  nested: NESTED_OVERRIDES,
  smoke: SMOKE_OVERRIDES,
};

export function atScale(experiment: MigrationExperiment, scale: Scale): MigrationExperiment {
  if (scale === 'paper') return experiment;
  return { ...experiment, ...OVERRIDES[scale][experiment.figure] };
}

/** The guest sizes a scale sweeps, smallest and largest over every figure. */
export function memoryRangeMb(experiments: readonly MigrationExperiment[], scale: Scale): { readonly min: number; readonly max: number } {
  const sizes = experiments.flatMap((experiment) => atScale(experiment, scale).memoryMb);
  return { min: Math.min(...sizes), max: Math.max(...sizes) };
}
