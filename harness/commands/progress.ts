/**
 * What a run prints while it goes: on a terminal a live bar (cli-progress)
 * with k/N points, elapsed time and ETA, each finished point logged above
 * it; on a pipe or in CI one plain line per finished point that still
 * carries k/N, elapsed and ETA. The formatting is pure (times are passed
 * in), so tests check the text without waiting on a clock.
 */
import cliProgress from 'cli-progress';
import type { PointProgress } from '../runner.ts';

/** "4.2 s", "3 min 05 s", "1 h 02 min": short enough for a progress line, exact enough to plan around. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Seconds left, from the share of the run's expected cost done so far
 * (points differ: a 4 GB Xen-Nest migration costs far more than a 128 MB
 * VMBeam one, so counting points alone would promise too much early on).
 * Undefined until something has finished.
 */
export function etaSeconds(elapsedS: number, doneCost: number, totalCost: number): number | undefined {
  if (doneCost <= 0 || totalCost <= 0) return undefined;
  return Math.max(0, (elapsedS * (totalCost - doneCost)) / doneCost);
}

/** "[ 7/48] 2/vmbeam/1024MB: 5 ok, 0.41 s | elapsed 3.0 s, ETA 17 s": one finished point, for a pipe or a log file. */
export function progressLine(progress: PointProgress, done: number, total: number, elapsedS: number, eta: number | undefined): string {
  const width = String(total).length;
  const failures = progress.failed > 0 ? `, ${progress.failed} failed (${progress.firstError ?? ''})` : '';
  const tail = done < total ? ` | elapsed ${formatDuration(elapsedS)}, ETA ${eta === undefined ? '?' : formatDuration(eta)}` : ` | elapsed ${formatDuration(elapsedS)}`;
  return `[${String(done).padStart(width)}/${total}] ${progress.point}: ${progress.ok} ok${failures}, ${progress.elapsedS.toFixed(2)} s${tail}`;
}

/** The cost of each point the run will finish, keyed like the runner's points (`figure|point`). */
export interface ProgressPlan {
  readonly costs: ReadonlyMap<string, number>;
}

export interface ProgressReporter {
  /** A finished point (the runner's onPoint). */
  point(progress: PointProgress): void;
  /** A line that is not a point (a preparation step, a warning), printed without breaking the bar. */
  log(line: string): void;
  /** Measuring starts now: the ETA leaves out the warm-up before it (booting guests is not a point's cost). */
  measuring(): void;
  stop(): void;
}

export interface ReporterOptions {
  /** A live bar (a terminal) or plain lines (a pipe, CI, a log file). */
  readonly live: boolean;
  readonly now?: () => number;
  readonly write?: (line: string) => void;
}

/** A progress reporter for a run of `plan`'s points. */
export function progressReporter(plan: ProgressPlan, options: ReporterOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => console.log(line));
  const started = now();
  const total = plan.costs.size;
  const totalCost = [...plan.costs.values()].reduce((sum, cost) => sum + cost, 0);
  let done = 0;
  let doneCost = 0;
  let measuringSince = started;
  const elapsed = () => (now() - started) / 1000;
  const eta = () => etaSeconds((now() - measuringSince) / 1000, doneCost, totalCost);
  const measuring = () => {
    measuringSince = now();
  };
  const advance = (progress: PointProgress) => {
    done++;
    doneCost += plan.costs.get(`${progress.figure}|${progress.point}`) ?? 0;
  };
  if (!options.live || total === 0) {
    return {
      point(progress) {
        advance(progress);
        write(progressLine(progress, done, total, elapsed(), eta()));
      },
      log: write,
      measuring,
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: ' {bar} {value}/{total} points | elapsed {spent} | ETA {left} | {last}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      // The run's other lines go to stdout: the bar shares their stream so neither overwrites the other.
      stream: process.stdout,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const left = eta();
    return { spent: formatDuration(elapsed()), left: done === total ? '0 s' : left === undefined ? '?' : formatDuration(left) };
  };
  const bar = bars.create(total, 0, { ...payload(), last: 'starting' });
  // The elapsed time moves while a long migration runs, not only when a point finishes.
  const ticker = setInterval(() => bar.update(payload()), 1000);
  ticker.unref();
  return {
    point(progress) {
      advance(progress);
      bars.log(`${progressLine(progress, done, total, elapsed(), eta())}\n`);
      bar.update(done, { ...payload(), last: progress.point });
    },
    log(line) {
      bars.log(`${line}\n`);
    },
    measuring,
    stop() {
      clearInterval(ticker);
      bar.update(payload());
      // stop() draws the bar once more but drops the lines logged since the last redraw: flush them first.
      bars.update();
      bars.stop();
    },
  };
}
