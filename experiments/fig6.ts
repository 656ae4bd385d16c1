import type { MigrationExperiment } from '../harness/experiment.ts';

const STEP_PAGES_PER_S = 1000;

/** Fig. 6: a 2 GB guest writing uniformly over a 1 GB region at 0 and 1,000..10,000 pages/s. */
export const fig6: MigrationExperiment = {
  figure: '6',
  kind: 'migration',
  title: 'Memory-intensive workload, 2 GB guest',
  systems: ['vmbeam', 'xen-nest', 'xen-blanket'],
  memoryMb: [2048],
  dirtyRegionMb: 1024,
  guestDom0Cpus: 1,
  dirtyPagesPerS: Array.from({ length: 11 }, (_, i) => i * STEP_PAGES_PER_S),
};
