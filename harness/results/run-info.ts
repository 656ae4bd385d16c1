import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything needed to tell where a set of results came from. */
export interface RunInfo {
  readonly backend: string;
  readonly figures: readonly string[];
  readonly seed: number;
  readonly repetitions: number;
  readonly gitRevision: string | undefined;
  readonly nodeVersion: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly outcome?: { readonly points: number; readonly migrations: number; readonly failures: number; readonly interrupted: boolean };
  readonly backendInfo: Record<string, unknown>;
}

/** run.json sits beside the CSVs; it is written at the start and again at the end. */
export function writeRunInfo(resultsDir: string, info: RunInfo): void {
  writeFileSync(join(resultsDir, 'run.json'), `${JSON.stringify(info, null, 2)}\n`);
}
