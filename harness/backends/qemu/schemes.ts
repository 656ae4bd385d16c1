/**
 * How each system migrates on the testbed, as the QMP settings it gets:
 * the capabilities (set on both sides), the source's and the destination's
 * parameters, whose rule ends pre-copy, and whether it switches to
 * post-copy. Pure: the numbers here are QEMU's defaults, set explicitly so
 * that a QEMU with other defaults still runs the same scheme.
 *
 * The defaults are QEMU 7.2's (migration/migration.c, the
 * DEFAULT_MIGRATE_* constants; `query-migrate-parameters` on the testbed's
 * QEMU 7.2 returns the same values).
 */
import { isPaperSystem, type SystemName } from '../../systems.ts';
import { migrationParameters } from './policy.ts';
import type { MigrationPolicy } from './types.ts';

/** A system the testbed migrates with; `auto` first chooses one of these. */
export type SchemeSystem = Exclude<SystemName, 'auto'>;

/** DEFAULT_MIGRATE_CPU_THROTTLE_INITIAL and _INCREMENT: 20 % of the vCPU's time at the first throttle, 10 % more at each sync still dirtying too fast. */
export const CPU_THROTTLE_INITIAL_PCT = 20;
export const CPU_THROTTLE_INCREMENT_PCT = 10;

/**
 * DEFAULT_MIGRATE_XBZRLE_CACHE_SIZE (64 MiB): QEMU's default, kept so the
 * comparison is with what QEMU ships. It holds the whole dirtied region at
 * smoke scale (64 MB) and half of it at CI scale (128 MB), so there a page
 * written again after more than 16,384 other pages is sent whole.
 */
export const XBZRLE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * QEMU's default (DEFAULT_MIGRATE_MULTIFD_CHANNELS), and the most that
 * can help here: every channel goes through the one SSH connection of the
 * Xen-Nest transport (one TCP flow through the 100 Mbit/s tbf, one ssh
 * process encrypting on one core), and the host's 2 cores also run both
 * QEMUs' vCPU and migration threads, ssh and sshd. More channels would only
 * add threads competing for those cores.
 */
export const MULTIFD_CHANNELS = 2;

export interface Capability {
  readonly capability: string;
  readonly state: boolean;
}

export type QmpParameters = Readonly<Record<string, number>>;

export interface MigrationScheme {
  readonly system: SchemeSystem;
  /** Guest RAM stays in the shared file (`x-ignore-shared`): only device state crosses. */
  readonly zeroCopy: boolean;
  /** What ends pre-copy: Xen's rule emulated (policy-watch.ts) or QEMU's downtime-limit. */
  readonly policy: MigrationPolicy;
  /** Every capability the testbed uses, on or off, for both sides (a restored source has x-ignore-shared set). */
  readonly capabilities: readonly Capability[];
  readonly sourceParameters: QmpParameters;
  /** What the destination must agree on (multifd's channel count); often nothing. */
  readonly destinationParameters: QmpParameters;
  /** Issue `migrate-start-postcopy` once the first pre-copy pass has ended. */
  readonly postcopyAfterFirstPass: boolean;
}

const OPTIONAL_CAPABILITIES = ['x-ignore-shared', 'auto-converge', 'xbzrle', 'multifd', 'postcopy-ram'] as const;
type OptionalCapability = (typeof OPTIONAL_CAPABILITIES)[number];

function capabilities(on: readonly OptionalCapability[]): Capability[] {
  return [{ capability: 'events', state: true }, ...OPTIONAL_CAPABILITIES.map((capability) => ({ capability, state: on.includes(capability) }))];
}

/**
 * The scheme of `system`. The paper's systems keep the run's policy
 * (`--policy`, Xen's by default); QEMU's schemes run under QEMU's own
 * convergence (downtime-limit 300 ms), which is what they are built on.
 */
export function schemeOf(system: SystemName, runPolicy: MigrationPolicy, zeroCopy: boolean, linkBytesPerS: number): MigrationScheme {
  if (system === 'auto') throw new Error('auto must choose a scheme before it is armed');
  const policy: MigrationPolicy = isPaperSystem(system) ? runPolicy : 'qemu';
  const base = migrationParameters(policy, linkBytesPerS);
  const scheme = (on: readonly OptionalCapability[], source: QmpParameters = {}, destination: QmpParameters = {}, postcopy = false): MigrationScheme => ({
    system,
    zeroCopy,
    policy,
    capabilities: capabilities(zeroCopy ? ['x-ignore-shared', ...on] : on),
    sourceParameters: { ...base, ...source },
    destinationParameters: destination,
    postcopyAfterFirstPass: postcopy,
  });
  switch (system) {
    case 'auto-converge':
      return scheme(['auto-converge'], { 'cpu-throttle-initial': CPU_THROTTLE_INITIAL_PCT, 'cpu-throttle-increment': CPU_THROTTLE_INCREMENT_PCT });
    case 'xbzrle':
      return scheme(['xbzrle'], { 'xbzrle-cache-size': XBZRLE_CACHE_BYTES });
    case 'multifd':
      // The destination accepts as many channels as it is told to expect.
      return scheme(['multifd'], { 'multifd-channels': MULTIFD_CHANNELS }, { 'multifd-channels': MULTIFD_CHANNELS });
    case 'postcopy':
      // Both sides: the destination must register its RAM with userfaultfd before the stream starts.
      return scheme(['postcopy-ram'], {}, {}, true);
    default:
      return scheme([]);
  }
}

/** What run.json records of the schemes: the values above, beside QEMU's version. */
export const SCHEME_SETTINGS = {
  autoConverge: { cpuThrottleInitialPct: CPU_THROTTLE_INITIAL_PCT, cpuThrottleIncrementPct: CPU_THROTTLE_INCREMENT_PCT },
  xbzrleCacheBytes: XBZRLE_CACHE_BYTES,
  multifdChannels: MULTIFD_CHANNELS,
  postcopy: 'migrate-start-postcopy after the first pre-copy pass (MIGRATION_PASS 2)',
  qemuSchemesPolicy: 'qemu (downtime-limit 300 ms)',
} as const;
