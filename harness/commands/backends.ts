/** Building the real backends from the command line's choices; a machine that cannot run one is an EnvironmentError. */
import type { Backend } from '../backends/backend.ts';
import type { Accel } from '../backends/qemu/types.ts';
import { QemuBackend } from '../backends/qemu/backend.ts';
import { XenBackend } from '../backends/xen/backend.ts';
import { loadTestbed, type Testbed } from '../backends/xen/testbed.ts';
import { UsageError } from '../options.ts';
import { EnvironmentError, messageOf, type CommandContext } from './context.ts';

export const ACCELS = ['auto', 'kvm', 'tcg'] as const satisfies readonly (Accel | 'auto')[];
export type AccelPreference = (typeof ACCELS)[number];
export const POLICIES = ['xen', 'qemu'] as const;
export type Policy = (typeof POLICIES)[number];
export const DEFAULT_TIMEOUT_S = 900;

/** A testbed must not outlive the harness: the qemu safety net tears it down on a signal, and dead runs' leftovers go first. */
export function installQemuCleanup(qemu: typeof import('../backends/qemu/index.ts'), context: CommandContext): void {
  qemu.installSignalCleanup((signal) => context.exitOnSignal(signal), INTERRUPT_GRACE_MS);
  qemu.sweepLeftovers();
}

/** Cancelling a migration and tearing its testbed down takes under a second here; a run that takes 10 s is torn down by force. */
const INTERRUPT_GRACE_MS = 10_000;

export interface QemuChoices {
  readonly accel: AccelPreference;
  readonly policy: Policy;
  readonly timeoutMs: number;
}

export async function qemuBackend(choices: QemuChoices, context: CommandContext): Promise<QemuBackend> {
  installQemuCleanup(await import('../backends/qemu/index.ts'), context);
  // Checking packages, building the guest image and probing KVM take seconds to a minute: say so before the silence.
  console.log(`preparing the qemu testbed: checking root and packages, building the guest image, choosing the accelerator (--accel ${choices.accel}${choices.accel === 'auto' ? ', a KVM probe boot of up to 30 s' : ''})`);
  const started = Date.now();
  let backend: QemuBackend;
  try {
    backend = await QemuBackend.create(choices);
  } catch (error) {
    throw new EnvironmentError(messageOf(error));
  }
  const { accel, accelReason } = await backend.describe();
  console.log(`accelerator: ${String(accel)} (${String(accelReason)}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const warning = accelFallbackWarning(choices.accel, String(accel), String(accelReason));
  if (warning !== undefined) console.error(warning);
  return backend;
}

/** A loud line when --accel auto fell back to TCG: every time is then several times a KVM host's, and a KVM host profile does not apply. */
export function accelFallbackWarning(requested: AccelPreference, accel: string, reason: string): string | undefined {
  if (requested !== 'auto' || accel === 'kvm') return undefined;
  return `WARNING: KVM is not used, migrations run under TCG (software emulation, several times slower than KVM): ${reason}. Compare these results only with a TCG host profile; pass --accel tcg to make this choice explicit.`;
}

/** The xen testbed a run names: its file, parsed and checked field by field now (before anything runs), or the local one. */
export function xenTestbed(testbed: string | undefined): Testbed | 'local' {
  if (testbed === undefined) throw new UsageError('the xen backend needs --testbed FILE or --testbed local (see docs/xen-testbed.md)');
  if (testbed === 'local') return 'local';
  try {
    return loadTestbed(testbed);
  } catch (error) {
    throw new EnvironmentError(messageOf(error));
  }
}

/** Connects to a user's testbed (every host checked), or builds and boots the local one. */
export async function xenBackend(testbed: Testbed | 'local', context: CommandContext): Promise<Backend> {
  if (testbed === 'local') return xenLocalBackend(context);
  try {
    return await XenBackend.fromTestbed(testbed);
  } catch (error) {
    throw new EnvironmentError(messageOf(error));
  }
}

/** The local nested-Xen testbed: built and booted here, torn down by close() or, on a signal, by its safety net. */
async function xenLocalBackend(context: CommandContext): Promise<Backend> {
  const local = await import('../backends/xen/local/index.ts');
  local.installSignalCleanup((signal) => context.exitOnSignal(signal), INTERRUPT_GRACE_MS);
  try {
    return await local.startLocalTestbed({ log: (line) => console.log(line), signal: new AbortController().signal });
  } catch (error) {
    throw new EnvironmentError(messageOf(error));
  }
}
