import type { MigrationExperiment } from '../harness/experiment.ts';

/**
 * Beyond the paper (brief §6): Fig. 6's dirtying workload on the Xen-Nest
 * link, migrated by pre-copy under Xen's policy, by QEMU's own pre-copy and
 * the schemes QEMU ships on top of it, by zero-copy, and by `auto`, which
 * picks one by itself. The rates run from below to well above what the
 * link carries (about 2,500 pages/s for Xen-Nest in the paper, 3,000 on the
 * qemu testbed's 100 Mbit/s link).
 */
export const alternatives: MigrationExperiment = {
  figure: 'alternatives',
  kind: 'migration',
  title: "QEMU's schemes against zero-copy under a dirtying guest",
  systems: ['xen-nest', 'precopy-qemu', 'auto-converge', 'xbzrle', 'multifd', 'postcopy', 'vmbeam', 'auto'],
  memoryMb: [2048],
  dirtyRegionMb: 1024,
  dirtyPagesPerS: [1000, 2000, 4000, 6000, 8000, 10000],
  guestDom0Cpus: 1,
  // QEMU's own pre-copy never stops while the guest out-dirties the link: a
  // migration still running after about ten passes of the guest over the
  // link is cancelled and recorded as failed ("did not converge").
  giveUpAfterS: 1800,
};
