import type { MigrationExperiment } from '../harness/experiment.ts';

/** Fig. 4: CPU load of the two cloud VMs and the cloud Dom0 while migrating an idle 4 GB guest. */
export const fig4: MigrationExperiment = {
  figure: '4',
  kind: 'migration',
  title: 'CPU load, 4 GB guest',
  systems: ['vmbeam', 'xen-nest', 'xen-blanket'],
  memoryMb: [4096],
  dirtyRegionMb: 0,
  guestDom0Cpus: 1,
  dirtyPagesPerS: [0],
};
