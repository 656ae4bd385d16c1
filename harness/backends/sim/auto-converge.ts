/**
 * QEMU 7.2's auto-converge: after each bitmap sync, if a period of at least
 * a second saw more dirty bytes than half the bytes it sent, and that has
 * happened twice since the last step, throttle the guest's vCPU harder
 * (migration/ram.c migration_bitmap_sync, migration_trigger_throttle,
 * mig_throttle_guest_down). Pure: a state and a sync in, the next state out.
 */
import type { QemuSchemeParameters } from './parameter-types.ts';

type ThrottleParameters = QemuSchemeParameters['autoConverge'];

export interface ThrottleState {
  /** The vCPU throttle in % (cpu_throttle_get_percentage); 0 before the first step. */
  readonly pct: number;
  /** rs->dirty_rate_high_cnt: periods over the threshold since the last step. */
  readonly highPeriods: number;
  /** rs->time_last_bitmap_sync and rs->bytes_xfer_prev: where the current period began. */
  readonly periodStartS: number;
  readonly periodStartBytes: number;
  /** rs->num_dirty_pages_period: pages the syncs of this period found newly dirty. */
  readonly periodDirtyPages: number;
}

/** At setup (ram_init_bitmaps): the first period starts with the migration, nothing sent. */
export function initialThrottle(startS: number): ThrottleState {
  return { pct: 0, highPeriods: 0, periodStartS: startS, periodStartBytes: 0, periodDirtyPages: 0 };
}

export interface Sync {
  readonly tS: number;
  /** Pages this sync found dirty. */
  readonly dirtyPages: number;
  /** Stream bytes sent since the migration began (ram_counters.transferred). */
  readonly streamBytes: number;
}

/** The state after one bitmap sync. */
export function throttleAfterSync(state: ThrottleState, sync: Sync, parameters: ThrottleParameters, pageBytes: number): ThrottleState {
  const periodDirtyPages = state.periodDirtyPages + sync.dirtyPages;
  // "more than 1 second": shorter periods keep accumulating until one is long enough to judge.
  if (!(sync.tS > state.periodStartS + parameters.minPeriodS)) return { ...state, periodDirtyPages };
  const bytesDirty = periodDirtyPages * pageBytes;
  const bytesSent = sync.streamBytes - state.periodStartBytes;
  let { pct, highPeriods } = state;
  // `(dirty > threshold) && (++cnt >= 2)`: the count moves only while the period is over the threshold.
  if (bytesDirty > (bytesSent * parameters.triggerThresholdPct) / 100) {
    highPeriods += 1;
    if (highPeriods >= parameters.periodsPerStep) {
      highPeriods = 0;
      pct = pct === 0 ? parameters.initialPct : Math.min(pct + parameters.incrementPct, parameters.maxPct);
    }
  }
  return { pct, highPeriods, periodStartS: sync.tS, periodStartBytes: sync.streamBytes, periodDirtyPages: 0 };
}

/**
 * The workload's write rate under a throttle of `pct` %: the vCPU runs
 * (1 - pct/100) of the time (softmmu/cpu-throttle.c), which slows a writer
 * only once that is less than the share of the vCPU its writes need.
 */
export function throttledWritePagesPerS(pagesPerS: number, pct: number, vcpuShareAtFullRate: number): number {
  const running = 1 - pct / 100;
  return pagesPerS * Math.min(1, running / vcpuShareAtFullRate);
}
