/**
 * `npm run faults`: fault injection on the qemu testbed, kept with the
 * project. Each case runs the harness as a child process, hurts it at one
 * moment (a signal at boot, pre-copy, zero-copy, teardown or report; a
 * SIGKILL of the harness followed by a fresh run; a SIGKILL of one QEMU; a
 * forced timeout) and prints its exit code, the rows kept against the
 * repetitions the run said it finished, and what it left behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { UsageError } from '../options.ts';
import { listNamespaces } from '../backends/qemu/links.ts';
import { commandLines } from '../linux/processes.ts';
import { figureName } from '../experiment.ts';
import { EXIT_FAILURES, EXIT_OK, signalExitCode } from './context.ts';

/** When to strike: on a line of the run's output (after a delay), or a while after it starts. */
type Trigger = { readonly line: RegExp; readonly afterMs?: number } | { readonly startedMs: number };

type Action = { readonly signal: NodeJS.Signals } | { readonly killQemu: true };

export interface FaultCase {
  readonly name: string;
  readonly what: string;
  /** The figure run: small sweeps, so each case takes about a minute under TCG. */
  readonly figure: '2' | '4';
  readonly extraArgs?: readonly string[];
  readonly trigger?: Trigger;
  readonly action?: Action;
  /** Start the same run afresh after this one ended, and judge what that one finds. */
  readonly freshRun?: boolean;
  readonly expectExit: readonly number[];
}

/** A finished point's line, as the run prints it on a pipe: `[k/N] <point>: …` (older runs: without the count). */
const pointLine = (point: string) => new RegExp(String.raw`^(?:\[\s*\d+/\d+\] )?${point}`, 'm');

const PRECOPY = { line: pointLine('fig2 vmbeam memory_mb=512'), afterMs: 3_000 } as const;
const ZEROCOPY = { line: pointLine('fig2 vmbeam memory_mb=128') } as const;
const TEARDOWN = { line: /^wrote \d+ migrations/m } as const;
/** Before the first point: the image build, the accelerator probe and the guests' boots. */
const BOOT = { startedMs: 6_000 } as const;

export const FAULT_CASES: readonly FaultCase[] = [
  ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).flatMap((signal): FaultCase[] => {
    const code = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal];
    const lower = signal.toLowerCase();
    return [
      { name: `${lower}-boot`, what: `${signal} while the guests boot`, figure: '2', trigger: BOOT, action: { signal }, expectExit: [code] },
      { name: `${lower}-zero-copy`, what: `${signal} during a zero-copy migration`, figure: '2', trigger: ZEROCOPY, action: { signal }, expectExit: [code] },
      { name: `${lower}-pre-copy`, what: `${signal} during a pre-copy over SSH`, figure: '2', trigger: PRECOPY, action: { signal }, expectExit: [code] },
      { name: `${lower}-teardown`, what: `${signal} as the testbed is torn down`, figure: '4', extraArgs: ['--no-charts'], trigger: TEARDOWN, action: { signal }, expectExit: [code, 0] },
      { name: `${lower}-report`, what: `${signal} while the charts are written`, figure: '4', trigger: TEARDOWN, action: { signal }, expectExit: [code] },
    ];
  }),
  { name: 'sigkill-then-fresh-run', what: 'SIGKILL of the harness at boot, then a fresh run', figure: '2', trigger: BOOT, action: { signal: 'SIGKILL' }, freshRun: true, expectExit: [137] },
  { name: 'sigkill-qemu', what: 'SIGKILL of one QEMU during a pre-copy', figure: '4', trigger: { line: pointLine('fig4 vmbeam '), afterMs: 3_000 }, action: { killQemu: true }, expectExit: [1] },
  { name: 'timeout', what: 'a migration that outlives --timeout', figure: '4', extraArgs: ['--timeout', '5'], expectExit: [1] },
];

export interface FaultResult {
  readonly name: string;
  readonly what: string;
  readonly exitCode: number | undefined;
  readonly expected: boolean;
  /** Rows in the figure's summary CSV. */
  readonly rowsKept: number;
  /** Repetitions the run's progress lines said were finished (ok or failed). */
  readonly rowsFinished: number;
  readonly leftovers: readonly string[];
}

/** Repetitions the progress lines report, `<point>: <k> ok[, <f> failed …]`. */
export function finishedRepetitions(stdout: string): number {
  let total = 0;
  for (const match of stdout.matchAll(/^(?:\[\s*\d+\/\d+\] )?fig\d .*: (\d+) ok(?:, (\d+) failed)?/gm)) total += Number(match[1]) + Number(match[2] ?? 0);
  return total;
}

/** What a run of process `pid` left: namespaces, RAM files, private directories and processes that name them. */
export function leftoversOf(pid: number, namespaces: readonly string[], shmFiles: readonly string[], tmpEntries: readonly string[], commandLines: ReadonlyMap<number, string>): string[] {
  const shm = `vmbeam-${pid}-`;
  const runDir = `vmbeam-qemu-${pid}-`;
  return [
    ...namespaces.filter((name) => name.startsWith(`vmb${pid}r`)).map((name) => `netns ${name}`),
    ...shmFiles.filter((name) => name.startsWith(shm)).map((name) => `/dev/shm/${name}`),
    ...tmpEntries.filter((name) => name.startsWith(runDir)).map((name) => join(tmpdir(), name)),
    ...[...commandLines].filter(([, line]) => line.includes(shm) || line.includes(runDir)).map(([other, line]) => `process ${other} ${line.slice(0, 80)}`),
  ];
}

function observedLeftovers(pid: number): string[] {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return leftoversOf(pid, listNamespaces(), list('/dev/shm'), list(tmpdir()), commandLines());
}

const HARNESS_OPTIONS = { reject: false, all: true, cwd: join(import.meta.dirname, '..', '..') } as const;
type HarnessRun = ResultPromise<typeof HARNESS_OPTIONS>;

function harness(args: readonly string[]): HarnessRun {
  return execa(process.execPath, ['--import', 'tsx', 'harness/cli.ts', ...args], HARNESS_OPTIONS);
}

/** Sends the case's blow when its trigger comes. */
function strike(run: HarnessRun, fault: FaultCase): void {
  const { trigger, action } = fault;
  if (trigger === undefined || action === undefined) return;
  const hit = () => {
    if ('signal' in action) run.kill(action.signal);
    else killOneQemu(run.pid!);
  };
  if ('startedMs' in trigger) {
    setTimeout(hit, trigger.startedMs).unref();
    return;
  }
  let armed = true;
  run.stdout!.on('data', (chunk: Buffer) => {
    if (armed && trigger.line.test(chunk.toString())) {
      armed = false;
      setTimeout(hit, trigger.afterMs ?? 0).unref();
    }
  });
}

/** SIGKILLs one QEMU of the harness's run, found by the run directory its command line names. */
function killOneQemu(harnessPid: number): void {
  const runDir = `vmbeam-qemu-${harnessPid}-`;
  const qemu = [...commandLines()].find(([, line]) => line.startsWith('qemu-system') && line.includes(runDir));
  if (qemu !== undefined) process.kill(qemu[0], 'SIGKILL');
}

/** The shell's number for how a child ended: its exit code, or 128 + the signal that killed it. */
function exitNumber(result: { readonly exitCode?: number | undefined; readonly signal?: string | undefined }): number | undefined {
  if (result.exitCode !== undefined) return result.exitCode;
  return result.signal === undefined ? undefined : signalExitCode(result.signal as NodeJS.Signals);
}

async function runCase(fault: FaultCase): Promise<FaultResult> {
  const out = mkdtempSync(join(tmpdir(), `faults-${fault.name}-`));
  const args = ['experiment', '--backend', 'qemu', '--figure', fault.figure, '--reps', '1', ...(fault.extraArgs ?? [])];
  const run = harness([...args, '--out', out]);
  strike(run, fault);
  const result = await run;
  if (fault.freshRun === true) {
    // A fresh run sweeps what dead runs left as it starts; it is stopped before it measures anything.
    const fresh = harness([...args, '--out', mkdtempSync(join(tmpdir(), `faults-${fault.name}-fresh-`))]);
    strike(fresh, { ...fault, trigger: BOOT, action: { signal: 'SIGINT' } });
    await fresh;
  }
  const csv = join(out, 'results', 'qemu', `${figureName(fault.figure)}.csv`);
  const exitCode = exitNumber(result);
  return {
    name: fault.name,
    what: fault.what,
    exitCode,
    expected: exitCode !== undefined && fault.expectExit.includes(exitCode),
    rowsKept: existsSync(csv) ? readFileSync(csv, 'utf8').trim().split('\n').length - 1 : 0,
    rowsFinished: finishedRepetitions(result.stdout),
    leftovers: observedLeftovers(run.pid!),
  };
}

export function faultTable(results: readonly FaultResult[]): string {
  const header = ['case', 'what', 'exit', 'rows kept / finished', 'leftovers', 'verdict'];
  const rows = results.map((result) => {
    const intact = result.rowsKept === result.rowsFinished;
    const clean = result.leftovers.length === 0;
    return [
      result.name,
      result.what,
      String(result.exitCode ?? 'none'),
      `${result.rowsKept} / ${result.rowsFinished}`,
      clean ? 'none' : result.leftovers.join('; '),
      result.expected && intact && clean ? 'ok' : 'FAULT',
    ];
  });
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export interface FaultsOptions {
  readonly only?: readonly string[];
}

export async function faults(options: FaultsOptions): Promise<number> {
  const unknown = (options.only ?? []).filter((name) => !FAULT_CASES.some((fault) => fault.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown fault case '${unknown[0]}' (valid: ${FAULT_CASES.map((fault) => fault.name).join(', ')})`);
  const cases = options.only === undefined ? FAULT_CASES : FAULT_CASES.filter((fault) => options.only!.includes(fault.name));
  const results: FaultResult[] = [];
  for (const fault of cases) {
    console.log(`${fault.name}: ${fault.what} …`);
    results.push(await runCase(fault));
  }
  console.log(faultTable(results));
  const failed = results.filter((result) => !result.expected || result.rowsKept !== result.rowsFinished || result.leftovers.length > 0);
  console.log(`${results.length - failed.length} of ${results.length} fault cases kept every row and left nothing behind`);
  return failed.length > 0 ? EXIT_FAILURES : EXIT_OK;
}
