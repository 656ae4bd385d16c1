import type { MigrationExperiment } from '../harness/experiment.ts';

/** Fig. 3: network load while migrating a 4 GB guest, over time (a) and in total (b). */
export const fig3: MigrationExperiment = {
  figure: '3',
  kind: 'migration',
  title: 'Network load, 4 GB guest',
  systems: ['vmbeam', 'xen-nest', 'xen-blanket'],
  memoryMb: [4096],
  dirtyRegionMb: 0,
  guestDom0Cpus: 1,
  dirtyPagesPerS: [0],
};
