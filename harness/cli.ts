/**
 * The command line: the only module that reads argv, owns the process's
 * signals, writes usage errors to the terminal or sets the exit code. Each
 * command lives in harness/commands/.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_SEED } from '../experiments/index.ts';
import { REPETITIONS_AT_SCALE } from '../experiments/scales.ts';
import { BACKEND_NAMES } from './backends/backend.ts';
import { SIM_PROFILES } from './backends/sim/backend.ts';
import { ACCELS, DEFAULT_TIMEOUT_S, POLICIES } from './commands/backends.ts';
import { calibrate, type CalibrateOptions } from './commands/calibrate.ts';
import { EnvironmentError, EXIT_USAGE, signalExitCode, type CommandContext } from './commands/context.ts';
import { experiment, type ExperimentOptions } from './commands/experiment.ts';
import { faults, type FaultsOptions } from './commands/faults.ts';
import { fit } from './commands/fit.ts';
import { gate, type GateOptions } from './commands/gate.ts';
import { merge, type MergeOptions } from './commands/merge.ts';
import { report, type ReportOptions } from './commands/report.ts';
import { validate, type ValidateOptions } from './commands/validate.ts';
import { SCALES } from './experiment.ts';
import { choice, count, figureListParser, parseSystems, shardOption, UsageError } from './options.ts';
import { FIGURE_IDS } from './registry.ts';


/** The signals that interrupt a run: Ctrl-C, a supervisor's stop, a closed terminal. */
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function processContext(): CommandContext {
  let lastSignal: NodeJS.Signals = 'SIGINT';
  const finalizers = new Set<() => void>();
  const exitOnSignal = (signal: NodeJS.Signals): void => {
    // Last words first: run.json says the run was interrupted even when it cannot unwind.
    for (const finalize of [...finalizers]) {
      try {
        finalize();
      } catch {
        // Exiting anyway: nothing else can be done with a failure here.
      }
    }
    process.exit(signalExitCode(signal));
  };
  return {
    async interruptible(body) {
      const abort = new AbortController();
      const interrupt = (signal: NodeJS.Signals) => {
        lastSignal = signal;
        if (!abort.signal.aborted) abort.abort();
        // A second signal: end now, unless the qemu safety net (another listener) tears its testbed down first and exits.
        else if (process.listenerCount(signal) === 1) exitOnSignal(signal);
      };
      for (const signal of INTERRUPTS) process.on(signal, interrupt);
      try {
        return await body(abort.signal);
      } finally {
        for (const signal of INTERRUPTS) process.off(signal, interrupt);
      }
    },
    interruptedExitCode: () => signalExitCode(lastSignal),
    onForcedExit(finalize) {
      finalizers.add(finalize);
      return () => finalizers.delete(finalize);
    },
    exitOnSignal,
  };
}

const figureList = figureListParser(FIGURE_IDS);

const HOST_PROFILE = 'results/host-profile.json';

/** The options a command line gave explicitly, not by default. */
const given = (command: Command): string[] =>
  command.options.filter((option) => command.getOptionValueSource(option.attributeName()) === 'cli').flatMap((option) => (option.long === undefined ? [] : [option.long]));

function buildProgram(context: CommandContext, run: (action: Promise<number>) => void): Command {
  const program = new Command('vmbeam-harness')
    .description('Reproduce the VMBeam evaluation on a simulator or a real testbed.')
    .version(harnessVersion(), '-V, --version', 'print the harness version');
  const command = (name: string, description: string) =>
    program.command(name).description(description).exitOverride().configureOutput({ writeErr: () => {} });
  command('experiment', 'run figures on a backend, write CSVs and charts')
    .option('--figure <list>', `figures to run, comma-separated (${FIGURE_IDS.join(', ')}; default: all the backend can produce)`, figureList)
    .option('--systems <list>', 'systems to run, comma-separated (default: every system the backend runs)', parseSystems)
    .option('--reps <n>', `repetitions per point (default: ${REPETITIONS_AT_SCALE.paper} at paper scale, ${REPETITIONS_AT_SCALE.ci} at ci scale)`, count('--reps', 1))
    .option('--scale <name>', `sweep sizes: ${SCALES.join(' or ')} (default: paper on sim, ci on real testbeds)`, choice('--scale', SCALES))
    .option('--seed <n>', 'run seed; each repetition derives its own', count('--seed', 0), DEFAULT_SEED)
    .option('--out <dir>', 'write results/<backend>/ and figures/<backend>/ under this directory', '.')
    .addOption(new Option('--backend <name>', `where migrations run (${BACKEND_NAMES.join(', ')})`).argParser(choice('--backend', BACKEND_NAMES)).default('sim'))
    .option('--no-charts', 'write CSVs only')
    .option('--testbed <file>', 'xen: the testbed description (docs/xen-testbed.md), or local to boot one on this machine')
    .option('--accel <name>', `qemu: accelerator (${ACCELS.join(', ')}); auto tries KVM and falls back to TCG`, choice('--accel', ACCELS), 'auto')
    .option('--policy <name>', `qemu and sim --profile host: pre-copy stop rule, ${POLICIES.join(' or ')} (Xen's 29 passes / 3x memory, or QEMU's downtime limit; default xen)`, choice('--policy', POLICIES))
    .option('--timeout <s>', `qemu and sim --profile host: seconds one migration may take before it is cancelled (default ${DEFAULT_TIMEOUT_S})`, count('--timeout', 1))
    .option('--profile <name>', `sim: ${SIM_PROFILES.join(' or ')} (the paper's testbed, or the qemu testbed on this host from --host-profile; default paper)`, choice('--profile', SIM_PROFILES))
    .option('--host-profile <file>', 'sim --profile host: the host profile written by npm run calibrate', HOST_PROFILE)
    .option('--resume', 'keep the rows the results directory holds and run only the repetitions it lacks or that failed')
    .addOption(new Option('--force', 'remove the rows the results directory holds, then run').conflicts('resume'))
    .option('--shard <i/n>', 'run only shard i of n (a deterministic split of the measurements); npm run merge joins the shards', shardOption)
    .action((options: ExperimentOptions, command: Command) => run(experiment({ ...options, given: given(command) }, context)));
  command('validate', 'the simulator with the host profile against the qemu testbed, on the same points')
    .addOption(new Option('--measured <dir>', 'a finished qemu run (results/qemu, or a results root) to compare with instead of running one').conflicts(['reps', 'seed']))
    .option('--host-profile <file>', 'the host profile written by npm run calibrate', HOST_PROFILE)
    .option('--reps <n>', 'without --measured: repetitions of the qemu run', count('--reps', 1))
    .option('--scale <name>', `without --measured: sweep sizes of the qemu run, ${SCALES.join(' or ')} (default ci)`, choice('--scale', SCALES))
    .option('--seed <n>', 'without --measured: seed of the qemu run', count('--seed', 0), DEFAULT_SEED)
    .option('--out <dir>', 'write results/ and figures/ under this directory', '.')
    .option('--no-charts', 'write CSVs and the report only')
    .option('--accel <name>', `without --measured: accelerator (${ACCELS.join(', ')})`, choice('--accel', ACCELS), 'auto')
    .option('--policy <name>', `pre-copy stop rule, ${POLICIES.join(' or ')} (default: the measured run's, else xen)`, choice('--policy', POLICIES))
    .option('--timeout <s>', `without --measured: seconds one migration may take (default ${DEFAULT_TIMEOUT_S})`, count('--timeout', 1))
    .option('--force', 'without --measured: remove the rows the qemu run\'s results directory holds, then run')
    .action((options: ValidateOptions) => run(validate(options, context)));
  command('gate', 'check result CSVs against the gates in experiments/gates.ts')
    .option('--results <dir>', 'results root holding <backend>/<figure>.csv', 'results')
    .option('--baseline <dir|rev>', 'results root or git revision to compare regression gates against')
    .option('--only <names...>', 'evaluate only these gates')
    .option('--backend <name>', 'evaluate only the gates of this backend')
    .option('--report-dir <dir>', 'where gate-report.md and gate-junit.xml go', '.')
    .action((options: GateOptions) => run(gate(options)));
  command('calibrate', "measure this host (ciphers, memory copies, the qemu testbed's fixed costs) into a host profile")
    .option('--out <file>', 'where the host profile goes', HOST_PROFILE)
    .option('--samples <n>', 'testbed migrations per measured cost (at least 2)', count('--samples', 2), 3)
    .option('--accel <name>', `qemu: accelerator (${ACCELS.join(', ')})`, choice('--accel', ACCELS), 'auto')
    .option('--timeout <s>', 'qemu: seconds one calibration migration may take', count('--timeout', 1), 300)
    .option('--no-testbed', 'skip the qemu testbed (no root or packages); the host profile then cannot drive the simulator')
    .action((options: CalibrateOptions) => run(calibrate(options, context)));
  command('report', 'rebuild REPORT.md, the charts and index.html from the CSVs of a results directory, running nothing')
    .requiredOption('--results <dir>', 'a results directory holding run.json and the CSVs, e.g. results/sim')
    .option('--figures <dir>', 'where the charts and index.html go (default: figures/<name> beside the results root)')
    .option('--no-charts', 'write REPORT.md only')
    .action((options: ReportOptions) => run(report(options)));
  command('merge', 'join the results directories of the shards of one run (--shard i/n) into one')
    .argument('<dirs...>', "the shards' results directories (or the --out roots they were run with)")
    .requiredOption('--out <dir>', 'write results/<backend>/ and figures/<backend>/ under this directory')
    .option('--no-charts', 'write the CSVs and REPORT.md only')
    .option('--force', 'remove the rows the merged results directory already holds')
    .action((dirs: string[], options: MergeOptions) => run(merge(dirs, options)));
  command('faults', 'fault injection on the qemu testbed: signals, kills and a timeout at each phase; rows kept and leftovers per case')
    .option('--only <cases...>', 'run only these cases (default: all)')
    .action((options: FaultsOptions) => run(faults(options)));
  command('fit', "refit the simulator's calibration constants to the paper's Fig. 2(a) and 3 statements").action(() => run(fit()));
  return program.exitOverride().configureOutput({ writeErr: () => {} });
}

/** The package's version, read from package.json beside harness/. */
function harnessVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

function usageMessage(error: CommanderError, program: Command, argv: readonly string[]): string {
  const command = program.commands.find((candidate) => argv.includes(candidate.name()));
  const valid = (command ?? program).options.map((option) => option.long).filter(Boolean);
  const message = error.message.replace(/^error: /, '').split('\n')[0];
  if (error.code === 'commander.unknownOption' || error.code === 'commander.excessArguments') {
    return `${message} (valid options: ${valid.join(', ')})`;
  }
  if (error.code === 'commander.unknownCommand' || error.code === 'commander.missingArgument') {
    return `${message} (valid commands: ${program.commands.map((c) => c.name()).join(', ')})`;
  }
  return message ?? 'invalid command line';
}

async function main(argv: readonly string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(processContext(), (action) => {
    pending = action;
  });
  const usage = () => {
    console.error(`usage: vmbeam-harness <command> [options] (valid commands: ${program.commands.map((c) => c.name()).join(', ')}; --help for more)`);
    return EXIT_USAGE;
  };
  try {
    program.parse(argv, { from: 'user' });
    if (pending === undefined) return usage();
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      // `help [command]` printed the help and ends with this code; with no command at all commander would print it as an error.
      if (error.code === 'commander.help') return argv.length === 0 ? usage() : 0;
      console.error(`error: ${usageMessage(error, program, argv)}`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof EnvironmentError) {
      console.error(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
