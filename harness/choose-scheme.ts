/**
 * What `auto` decides before it migrates (brief §6: switch transparently
 * between ordinary and zero-copy migration according to where the
 * destination is). Pure: the backends find the facts, this weighs them.
 */
import type { SystemName } from './systems.ts';

export interface Whereabouts {
  /** Source and destination report the same kernel boot id: they run on one host. */
  readonly sameHost: boolean;
  /** The guest's shared memory backend can be opened from where the destination runs. */
  readonly sharedMemoryReachable: boolean;
  /** What the link to the destination carries, in guest pages per second. */
  readonly linkPagesPerS: number;
  /** How fast the guest dirties its memory, in pages per second. */
  readonly dirtyPagesPerS: number;
}

export interface Choice {
  readonly system: Extract<SystemName, 'vmbeam' | 'precopy-qemu' | 'postcopy'>;
  readonly reason: string;
}

/**
 * Below this share of the link's page rate, each pre-copy pass at least
 * halves what is left to send, so plain pre-copy converges in a few passes.
 */
export const PRECOPY_CONVERGES_BELOW_LINK_SHARE = 0.5;

export function chooseScheme(facts: Whereabouts): Choice {
  if (facts.sameHost && facts.sharedMemoryReachable) {
    return { system: 'vmbeam', reason: "same host and the guest's memory is reachable from the destination: zero-copy" };
  }
  const where = facts.sameHost ? "same host but the guest's memory is hidden from the destination" : 'another host';
  const share = facts.dirtyPagesPerS / facts.linkPagesPerS;
  const rates = `${Math.round(facts.dirtyPagesPerS)} dirty pages/s against a link of ${Math.round(facts.linkPagesPerS)} pages/s`;
  if (share < PRECOPY_CONVERGES_BELOW_LINK_SHARE) {
    return { system: 'precopy-qemu', reason: `${where}; ${rates}: pre-copy converges` };
  }
  return { system: 'postcopy', reason: `${where}; ${rates}: pre-copy would not converge soon, post-copy sends each page once` };
}
