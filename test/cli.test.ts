import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCli } from './harness-cli.ts';
import { RUN_DIR_PREFIX, SHM_PREFIX } from '../harness/backends/qemu/cleanup.ts';
import { listNamespaces } from '../harness/backends/qemu/links.ts';
import { checkPrerequisites } from '../harness/backends/qemu/prereq.ts';
import { writeHostProfile } from '../harness/calibrate/profile.ts';
import { readTable } from '../harness/results/csv.ts';
import { fig2Table } from '../harness/results/tables.ts';
import { syntheticProfile } from './calibrate/synthetic-profile.ts';


function cli(...args: string[]) {
  return harnessCli(args);
}

describe('cli', () => {
  it.each([
    [['experiment', '--figure', '9'], /^error: unknown figure '9' \(valid: 2, 3, 4, 5, 6, 7, alternatives\)$/],
    [['experiment', '--backend', 'vmware'], /^error: unknown backend 'vmware' \(valid: sim, qemu, xen\)$/],
    [['experiment', '--bogus'], /^error: unknown option '--bogus' \(valid options: --figure, --systems, --reps, --scale, --seed, --out, --backend, --no-charts, --testbed, --accel, --policy, --timeout, --profile, --host-profile, --resume, --force, --shard\)$/],
    [['experiment', '--measured', 'results/qemu'], /^error: unknown option '--measured' \(valid options: /],
    [['experiment', '--figure', 'validate'], /^error: validation is its own command now: npm run validate/],
    [['experiment', '--figure', '2,validate'], /^error: validation is its own command now: npm run validate/],
    [['validate', '--backend', 'qemu'], /^error: unknown option '--backend' \(valid options: --measured, --host-profile, --reps, --scale, --seed, --out, --no-charts, --accel, --policy, --timeout, --force\)$/],
    [['validate', '--measured', '/nonexistent'], /^error: no qemu run at \/nonexistent /],
    [['validate', '--measured', 'results/qemu', '--reps', '2'], /^error: option '--measured <dir>' cannot be used with option '--reps <n>'$/],
    [['validate', '--measured', 'results/qemu', '--host-profile', '/nonexistent/hp.json'], /^error: no host profile at \/nonexistent\/hp\.json: run 'npm run calibrate' first/],
    [['validate', '--measured', 'results/qemu', '--policy', 'qemu'], /^error: --policy qemu disagrees with the measured run's policy xen/],
    [['gate', '--results', '/nonexistent'], /^error: results directory '\/nonexistent' does not exist$/],
    [['gate', '--results', 'package.json'], /^error: 'package\.json' is a file: --results takes the results root/],
    [['gate', '--report-dir', 'package.json/x'], /^error: --report-dir package\.json\/x: .*package\.json is a file, not a directory$/],
    [['experiment', '--accel', 'tcg'], /^error: --accel is a qemu option: the sim \(paper profile\) run would ignore it$/],
    [['experiment', '--backend', 'qemu', '--host-profile', 'x.json'], /^error: --host-profile goes with --profile host: the qemu run would ignore it$/],
    [['experiment', '--profile', 'cloud'], /^error: unknown profile 'cloud' \(valid: paper, host\)$/],
    [['experiment', '--profile', 'host', '--host-profile', '/nonexistent/hp.json'], /^error: no host profile at \/nonexistent\/hp\.json: run 'npm run calibrate' first/],
    [['experiment', '--backend', 'qemu', '--profile', 'host'], /^error: --profile is a sim option/],
    [['experiment', '--reps', '0'], /^error: --reps must be a whole number >= 1, got '0'$/],
    [['experiment', '--seed', 'x'], /^error: --seed must be a whole number >= 0, got 'x'$/],
    [['experiment', '--backend', 'xen'], /^error: the xen backend needs --testbed FILE or --testbed local \(see docs\/xen-testbed.md\)$/],
    [['experiment', '--backend', 'xen', '--testbed', '/nonexistent.json'], /^error: .*nonexistent\.json/],
    [['experiment', '--scale', 'huge'], /^error: unknown scale 'huge' \(valid: paper, ci, nested, smoke\)$/],
    [['experiment', '--systems', 'vmbeam,hyper-v'], /^error: unknown system 'hyper-v' \(valid: vmbeam, xen-nest, .*, auto\)$/],
    [['frobnicate'], /^error: unknown command 'frobnicate' \(valid commands: experiment/],
    [['calibrate', '--samples', '1'], /^error: --samples must be a whole number >= 2, got '1'$/],
    [['calibrate', '--accel', 'xen'], /^error: unknown accel 'xen' \(valid: auto, kvm, tcg\)$/],
    [['calibrate', '--bogus'], /^error: unknown option '--bogus' \(valid options: --out, --samples, --accel, --timeout, --no-testbed\)$/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const result = await cli(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints its version and its help, never help as an error', async () => {
    const version = await cli('--version');
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const args of [['help'], ['help', 'experiment'], ['experiment', '--help']]) {
      const help = await cli(...args);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toMatch(/^Usage: vmbeam-harness/);
      expect(help.stderr).toBe('');
    }
    const bare = await cli();
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr.trim()).toMatch(/^usage: vmbeam-harness <command> \[options\] \(valid commands: experiment, /);
  });

  it('runs a narrowed, redirected run and prints one line per point', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = await cli('experiment', '--figure', '3', '--reps', '2', '--seed', '7', '--out', out, '--backend', 'sim');
    expect(result.exitCode).toBe(0);
    // Not a terminal: plain lines, each with k/N, elapsed time and (until the last) an ETA.
    const pointLines = result.stdout.split('\n').filter((line) => line.startsWith('['));
    expect(pointLines).toHaveLength(3);
    expect(pointLines[0]).toMatch(/^\[1\/3\] fig3 vmbeam memory_mb=4096: 2 ok, \d+\.\d\d s \| elapsed [\d.]+ s, ETA [\d.]+ s$/);
    expect(pointLines[2]).toMatch(/^\[3\/3\] fig3 .*\| elapsed [\d.]+ s$/);
    const csv = readFileSync(join(out, 'results/sim/fig3.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 3 * 2);
    const runInfo = JSON.parse(readFileSync(join(out, 'results/sim/run.json'), 'utf8'));
    expect(runInfo).toMatchObject({ backend: 'sim', seed: 7, repetitions: 2, figures: ['fig3'] });
    // Fig. 3's idle guests are the same in every repetition: one simulated migration serves both.
    expect(runInfo.outcome).toMatchObject({ points: 3, migrations: 3, failures: 0, interrupted: false });
    for (const chart of ['fig3a', 'fig3b']) {
      expect(existsSync(join(out, `figures/sim/${chart}.svg`))).toBe(true);
      expect(readFileSync(join(out, `figures/sim/${chart}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
    expect(existsSync(join(out, 'results/sim/fig2.csv'))).toBe(false);
  });

  it('runs only the systems --systems names, at the sizes of the scale it is given', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = await cli('experiment', '--figure', '2', '--systems', 'xen-nest,vmbeam', '--scale', 'smoke', '--no-charts', '--out', out);
    expect(result.exitCode).toBe(0);
    // Left out as asked: no line about skipping them.
    expect(result.stdout).not.toMatch(/skipping/);
    const rows = readTable(fig2Table, join(out, 'results/sim/fig2.csv'));
    expect(rows.map((row) => `${row.system} ${row.memory_mb}`)).toEqual(['vmbeam 96', 'vmbeam 128', 'xen-nest 96', 'xen-nest 128']);
  });

  it('runs the simulator with a host profile into results/sim-host, listing what differs from the paper', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-host-'));
    const profile = join(out, 'host-profile.json');
    writeHostProfile(profile, syntheticProfile());
    const result = await cli('experiment', '--profile', 'host', '--host-profile', profile, '--policy', 'qemu', '--figure', '2', '--scale', 'ci', '--out', out, '--no-charts');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(out, 'results/sim'))).toBe(false);
    const report = readFileSync(join(out, 'results/sim-host/REPORT.md'), 'utf8');
    expect(report).toMatch(/^# Reproduction report: backend `sim`, profile `host`/);
    expect(report).toMatch(/the testbed's policy `qemu`/);
    expect(report).toMatch(/\| how a path's stages share the work \|  \| serial \| pipelined \|/);
    const runInfo = JSON.parse(readFileSync(join(out, 'results/sim-host/run.json'), 'utf8'));
    expect(runInfo.backendInfo).toMatchObject({ profile: 'host', policy: 'qemu', timeoutS: 900 });
    expect(runInfo.backendInfo.parameters.pathComposition).toBe('pipelined');
  });
});

const qemuSkipReason = checkPrerequisites();

function processesNaming(fragments: readonly string[]): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return fragments.some((fragment) => commandLine.includes(fragment)) ? [`${pid} ${commandLine}`] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}

describe.skipIf(qemuSkipReason !== null)(
  `cli on the qemu testbed${qemuSkipReason === null ? '' : ` (skipped: ${qemuSkipReason})`}`,
  () => {
    it('stops on SIGINT in the middle of a pre-copy: keeps the finished rows, records the interruption, leaves nothing behind (how fast is the fault script\'s to report, not a test\'s)', { timeout: 180_000 }, async () => {
      const out = mkdtempSync(join(tmpdir(), 'cli-interrupt-'));
      const run = harnessCli(['experiment', '--backend', 'qemu', '--figure', '2', '--no-charts', '--out', out]);
      // Fig. 2 starts with VMBeam's three sizes (well under a second each), then Xen-Nest at 128 MB (about 10 s through SSH).
      let signalledAt = 0;
      run.stdout!.on('data', (chunk: Buffer) => {
        if (signalledAt === 0 && chunk.toString().includes('fig2 vmbeam memory_mb=512')) {
          signalledAt = -1;
          setTimeout(() => {
            signalledAt = performance.now();
            run.kill('SIGINT');
          }, 3_000);
        }
      });
      const result = await run;

      expect(result.exitCode, result.stderr as string).toBe(130);
      expect(signalledAt).toBeGreaterThan(0);
      expect(result.stderr).toMatch(/^interrupted: the rows written so far are kept/m);
      const rows = readTable(fig2Table, join(out, 'results/qemu/fig2.csv'));
      expect(rows.map((row) => [row.system, row.memory_mb, row.status])).toEqual([
        ['vmbeam', 128, 'ok'],
        ['vmbeam', 256, 'ok'],
        ['vmbeam', 512, 'ok'],
      ]);
      const runInfo = JSON.parse(readFileSync(join(out, 'results/qemu/run.json'), 'utf8'));
      expect(runInfo.outcome).toEqual({ points: 3, migrations: 3, failures: 0, gaveUp: 0, interrupted: true });

      const pid = run.pid!;
      expect(listNamespaces().filter((ns) => ns.startsWith(`vmb${pid}r`))).toEqual([]);
      expect(readdirSync('/dev/shm').filter((file) => file.startsWith(`${SHM_PREFIX}${pid}-`))).toEqual([]);
      expect(readdirSync(tmpdir()).filter((file) => file.startsWith(`${RUN_DIR_PREFIX}${pid}-`))).toEqual([]);
      // QEMU, sshd and ssh name the run's directory or RAM file on their command lines; orphans would show here.
      expect(processesNaming([`${RUN_DIR_PREFIX}${pid}-`, `${SHM_PREFIX}${pid}-`])).toEqual([]);
    });
  },
);
