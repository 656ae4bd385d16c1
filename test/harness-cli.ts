import { join } from 'node:path';
import { execa } from 'execa';

export const ROOT = join(import.meta.dirname, '..');

/** Runs `harness/cli.ts` as the npm scripts do (node with tsx's loader), from the repository root; never throws on exit codes. */
export function harnessCli(args: readonly string[]) {
  return execa(process.execPath, ['--import', 'tsx', 'harness/cli.ts', ...args], { cwd: ROOT, reject: false });
}

/** index.html without what only says when, where and how a run ran (the elements marked data-volatile): pages of identical results compare equal. */
export const stripVolatile = (html: string) => html.replace(/<(\w+) data-volatile>.*?<\/\1>/g, '');
