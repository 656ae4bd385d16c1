import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { execa } from 'execa';
import type { RunHost } from '../results/run-info.ts';

/** What a run's results depend on in the checkout: the harness, the experiments and the packages. */
const CODE = ['harness', 'experiments', 'package.json', 'package-lock.json'];

/**
 * The last commit that changed the code a run executes, or undefined
 * outside a git checkout. Not HEAD: a commit of results (or docs) does not
 * change what produced them, so the committed run.json stays true, and a
 * rerun at a later commit with the same code records the same revision.
 */
export async function gitRevision(): Promise<string | undefined> {
  const result = await execa('git', ['log', '-1', '--format=%H', '--', ...CODE], { reject: false });
  return result.exitCode === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : undefined;
}

/**
 * Whether the code a run executes has uncommitted changes. Only the code
 * counts: a run rewrites its own results directory, which says nothing of
 * what produced it.
 */
export async function gitDirty(): Promise<boolean | undefined> {
  const result = await execa('git', ['status', '--porcelain', '--', ...CODE], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() !== '' : undefined;
}

/** This machine as the run starts. */
export function runHost(): RunHost {
  return {
    cpuModel: cpus()[0]?.model.trim() || 'unknown',
    cores: availableParallelism(),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    kernel: release(),
  };
}
