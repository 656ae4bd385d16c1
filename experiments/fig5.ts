import type { MigrationExperiment } from '../harness/experiment.ts';

/** Fig. 5: memory accesses estimated from the transferred pages and each system's copy path, 4 GB guest. */
export const fig5: MigrationExperiment = {
  figure: '5',
  kind: 'migration',
  title: 'Memory access, 4 GB guest',
  systems: ['vmbeam', 'xen-nest', 'xen-blanket'],
  memoryMb: [4096],
  dirtyRegionMb: 0,
  guestDom0Cpus: 1,
  dirtyPagesPerS: [0],
  repetitions: 1,
};
