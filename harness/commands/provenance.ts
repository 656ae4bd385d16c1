import { execa } from 'execa';

/** The checkout's commit, or undefined outside a git checkout. */
export async function gitRevision(): Promise<string | undefined> {
  const result = await execa('git', ['rev-parse', 'HEAD'], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
