/**
 * `npm run bench`: how fast the simulator regenerates the paper's figures.
 * Reports wall time per default run (every figure x 5 repetitions, CSVs
 * written, charts not drawn) and simulated pages per second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { DEFAULT_SEED, EXPERIMENTS } from '../experiments/index.ts';
import { REPETITIONS_AT_SCALE } from '../experiments/scales.ts';

const DEFAULT_REPETITIONS = REPETITIONS_AT_SCALE.paper;
import { SimBackend } from './backends/sim/index.ts';
import { simulateMigration } from './backends/sim/simulate.ts';
import { deriveSeed, expandPoints } from './experiment.ts';
import { runExperiments } from './runner.ts';

const TARGET_DEFAULT_RUN_S = 3;
const experiments = Object.values(EXPERIMENTS);
const scratch = mkdtempSync(join(tmpdir(), 'vmbeam-bench-'));

async function defaultRun(workers: number): Promise<void> {
  const backend = new SimBackend({ workers });
  try {
    await runExperiments(
      { experiments, repetitions: DEFAULT_REPETITIONS, seed: DEFAULT_SEED, resultsDir: scratch },
      backend,
      () => {},
      new AbortController().signal,
    );
  } finally {
    await backend.close();
  }
}

/** Pages the default run pushes through the pre-copy policy, counted once outside the timing. */
function simulatedPages(): number {
  let pages = 0;
  for (const experiment of experiments) {
    for (const point of expandPoints(experiment)) {
      for (let rep = 1; rep <= DEFAULT_REPETITIONS; rep++) {
        pages += simulateMigration(point, deriveSeed(DEFAULT_SEED, point, rep)).pagesSent ?? 0;
      }
    }
  }
  return pages;
}

const cores = availableParallelism();
const heaviest = expandPoints(EXPERIMENTS['6']).find(
  (point) => point.system === 'xen-nest' && point.dirtyPagesPerS === 10000,
)!;
const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
bench
  .add(`default run, ${cores} worker threads`, () => defaultRun(cores))
  .add('default run, main thread only', () => defaultRun(0))
  .add('one migration: fig6 xen-nest at 10,000 pages/s', () => {
    simulateMigration(heaviest, 1);
  });

await bench.run();
const pages = simulatedPages();
console.table(bench.table());
for (const task of bench.tasks) {
  const result = task.result;
  if (result.state !== 'completed') {
    console.log(`${task.name}: ${result.state}`);
    continue;
  }
  const meanS = result.latency.mean / 1000;
  const rate = task.name.startsWith('default run') ? `, ${(pages / meanS / 1e6).toFixed(1)} M simulated pages/s` : '';
  console.log(`${task.name}: ${meanS.toFixed(3)} s ± ${result.latency.rme.toFixed(1)} %${rate}`);
}
const parallel = bench.tasks[0]!.result;
if (parallel.state === 'completed') {
  const meanS = parallel.latency.mean / 1000;
  const verdict = meanS < TARGET_DEFAULT_RUN_S ? 'within' : 'OVER';
  console.log(`default run ${meanS.toFixed(2)} s: ${verdict} the ${TARGET_DEFAULT_RUN_S} s target (${pages} pages sent in all)`);
}
rmSync(scratch, { recursive: true, force: true });
