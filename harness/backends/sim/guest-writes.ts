/**
 * What the guest's workload achieved around a migration, as QEMU's
 * guestperf reports it and the qemu testbed's workload counts it:
 *
 * - before: its rate in the seconds before `migrate` (the point's rate:
 *   nothing slows it yet);
 * - during: pages it wrote from `migrate` until the migration completed,
 *   over that time. For pre-copy and zero-copy the migration completes when
 *   the guest runs at the destination, so the stop-and-copy's zero counts
 *   in; for post-copy it completes when the last page arrived, so the
 *   faults after the switch count in as well;
 * - after: its rate once the migration is over (the throttle is lifted,
 *   every page is local): the point's rate again.
 *
 * Pure.
 */
import type { GuestWrites } from '../backend.ts';

/** The write rate holds from `fromS` until the next step. */
export interface RateStep {
  readonly fromS: number;
  readonly pagesPerS: number;
}

/** Pages written from 0 to `untilS` at a piecewise-constant rate; steps in time order, the first from 0. */
export function writesUntil(steps: readonly RateStep[], untilS: number): number {
  let writes = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const endS = Math.min(untilS, steps[i + 1]?.fromS ?? untilS);
    if (endS > step.fromS) writes += (endS - step.fromS) * step.pagesPerS;
  }
  return writes;
}

/** The three rates, from the pages written during a migration of `migrationTimeS`. */
export function guestWrites(pagesPerS: number, writesDuring: number, migrationTimeS: number): GuestWrites {
  return {
    beforePagesPerS: pagesPerS,
    duringPagesPerS: migrationTimeS > 0 ? writesDuring / migrationTimeS : pagesPerS,
    afterPagesPerS: pagesPerS,
  };
}

/** A guest that runs at its rate until it stops for the last `downtimeS` (pre-copy, zero-copy). */
export function stoppedOnlyForDowntime(pagesPerS: number, migrationTimeS: number, downtimeS: number): GuestWrites {
  return guestWrites(pagesPerS, pagesPerS * Math.max(0, migrationTimeS - downtimeS), migrationTimeS);
}
