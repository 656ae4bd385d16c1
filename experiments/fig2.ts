import type { MigrationExperiment } from '../harness/experiment.ts';

/** Fig. 2: migration time (a) and downtime (b) of an idle guest vs its memory size. */
export const fig2: MigrationExperiment = {
  figure: '2',
  kind: 'migration',
  title: 'Migration time and downtime vs guest memory',
  systems: ['vmbeam', 'xen-nest', 'xen-blanket', 'xen-nest-nocipher', 'xen-blanket-nocipher', 'physical'],
  memoryMb: [128, 256, 512, 1024, 2048, 4096],
  dirtyRegionMb: 0,
  guestDom0Cpus: 1,
  dirtyPagesPerS: [0],
};
