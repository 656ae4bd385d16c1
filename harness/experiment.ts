import type { SystemName } from './systems.ts';

/** A figure of the paper that the harness can produce. */
export type FigureId = '2' | '3' | '4' | '5' | '6' | '7' | 'alternatives';

/**
 * `paper` runs the brief's sweeps as they are; `ci` shrinks them for a real
 * testbed on one small machine, `nested` further for the local nested-Xen
 * testbed, and `smoke` to the least a slow testbed can show in CI
 * (experiments/scales.ts says how).
 */
export const SCALES = ['paper', 'ci', 'nested', 'smoke'] as const;
export type Scale = (typeof SCALES)[number];

/**
 * One migration experiment, as data: which systems, which guest sizes and
 * which dirtying workloads. The cross product of the lists is the sweep.
 */
export interface MigrationExperiment {
  readonly figure: FigureId;
  readonly title: string;
  /** `migration` measures the migration itself; `service` a web server in the guest while it migrates. */
  readonly kind: 'migration' | 'service';
  readonly systems: readonly SystemName[];
  readonly memoryMb: readonly number[];
  /** Size of the region the workload writes to; 0 for an idle guest. */
  readonly dirtyRegionMb: number;
  readonly dirtyPagesPerS: readonly number[];
  /** CPUs of each guest Dom0 (the paper gave it 2 for the web experiment). */
  readonly guestDom0Cpus: number;
  /** A figure that is one deterministic estimate runs once, whatever --reps says. */
  readonly repetitions?: 1;
  /**
   * A migration still running after this long is cancelled and recorded as
   * failed: for schemes that may never converge (QEMU's own pre-copy under a
   * guest that out-dirties the link). Unset: the backend's own timeout.
   */
  readonly giveUpAfterS?: number;
}

/** One point of a sweep: everything a backend needs to run one migration. */
export interface MigrationPoint {
  readonly figure: FigureId;
  readonly system: SystemName;
  readonly memoryMb: number;
  readonly dirtyRegionMb: number;
  readonly dirtyPagesPerS: number;
  readonly guestDom0Cpus: number;
  /** The experiment's giveUpAfterS: not part of the point's identity. */
  readonly giveUpAfterS?: number;
}

export function expandPoints(experiment: MigrationExperiment): MigrationPoint[] {
  const points: MigrationPoint[] = [];
  for (const system of experiment.systems) {
    for (const memoryMb of experiment.memoryMb) {
      for (const dirtyPagesPerS of experiment.dirtyPagesPerS) {
        points.push({
          figure: experiment.figure,
          system,
          memoryMb,
          dirtyRegionMb: experiment.dirtyRegionMb,
          dirtyPagesPerS,
          guestDom0Cpus: experiment.guestDom0Cpus,
          ...(experiment.giveUpAfterS === undefined ? {} : { giveUpAfterS: experiment.giveUpAfterS }),
        });
      }
    }
  }
  return points;
}

const GAVE_UP = 'migration did not converge within ';

/**
 * The error of a migration the experiment gave up on (giveUpAfterS), as
 * every backend words it. The runner records it as a failed row, but as an
 * outcome of the scheme, not a failure of the run: it does not make the run
 * exit non-zero, and a resumed run keeps it.
 */
export function gaveUpError(giveUpAfterS: number, detail: string): Error {
  return new Error(`${GAVE_UP}${giveUpAfterS} s (${detail}); cancelled`);
}

export function isGaveUp(error: string | undefined): boolean {
  return error?.startsWith(GAVE_UP) === true;
}

/** The give-up time a gaveUpError names, in s; undefined for any other error. */
export function gaveUpSeconds(error: string | undefined): number | undefined {
  if (!isGaveUp(error)) return undefined;
  const seconds = Number.parseFloat(error!.slice(GAVE_UP.length));
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** How a figure is named in file names, run.json and progress lines: fig2 ... fig7, alternatives. */
export function figureName(figure: FigureId): string {
  return figure === 'alternatives' ? figure : `fig${figure}`;
}

/** A readable identity built from the point's values, never typed by hand. */
export function pointId(point: MigrationPoint): string {
  const parts = [figureName(point.figure), point.system, `memory_mb=${point.memoryMb}`];
  if (point.dirtyRegionMb > 0) {
    parts.push(`dirty_region_mb=${point.dirtyRegionMb}`, `dirty_pages_per_s=${point.dirtyPagesPerS}`);
  }
  if (point.guestDom0Cpus !== 1) parts.push(`guest_dom0_cpus=${point.guestDom0Cpus}`);
  return parts.join(' ');
}

/**
 * What a migration measures depends on the system, the guest and its
 * workload, not on the figure it is plotted in: Figs. 2, 3 and 4 read the
 * same migration of an idle 4 GB guest, and a dirty region written at rate
 * 0 is an idle guest. Points with the same measurement identity share one
 * migration per repetition.
 */
export function measurementId(point: MigrationPoint): string {
  const parts = [point.system, `memory_mb=${point.memoryMb}`];
  if (point.dirtyPagesPerS > 0) {
    parts.push(`dirty_region_mb=${point.dirtyRegionMb}`, `dirty_pages_per_s=${point.dirtyPagesPerS}`);
  }
  if (point.guestDom0Cpus !== 1) parts.push(`guest_dom0_cpus=${point.guestDom0Cpus}`);
  return parts.join(' ');
}

/**
 * Each repetition gets its own seed, derived from the run seed and the
 * measurement's identity, so narrowing a run (--figure) leaves the other
 * points' numbers unchanged.
 */
export function deriveSeed(runSeed: number, point: MigrationPoint, rep: number): number {
  return fnv1a32(`${runSeed}|${measurementId(point)}|${rep}`);
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
