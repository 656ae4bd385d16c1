import type { MigrationExperiment } from '../harness/experiment.ts';

/** Fig. 7: a web server in a 1 GB guest under load while it migrates; the guest Dom0 has 2 CPUs. */
export const fig7: MigrationExperiment = {
  figure: '7',
  kind: 'service',
  title: "Impact on the guest's web service, 1 GB guest",
  systems: ['vmbeam', 'xen-nest', 'xen-blanket'],
  memoryMb: [1024],
  dirtyRegionMb: 0,
  guestDom0Cpus: 2,
  dirtyPagesPerS: [0],
};
