/** What the hooks of one migration see (engine.ts), in a module of its own so the engine's parts can share it. */
import type { Link } from './links.ts';
import type { PolicyDecision } from './policy.ts';
import type { Testbed } from './testbed.ts';
import type { Transport } from './transport.ts';
import type { Vm } from './vm.ts';

/**
 * The testbed of one migration while it exists, as the hooks see it (not the
 * runner's per-migration MigrationContext of backends/backend.ts).
 */
export interface LiveMigration {
  source: Vm;
  destination: Vm;
  link: Link;
  transport: Transport;
  testbed: Testbed;
  /** The workload's ready line when its state was saved, e.g. "VMBEAM-READY filled_mb=52 available_mb=58 ...". */
  readyLine: string;
  /** Its acknowledgement of the dirty parameters, e.g. "VMBEAM-DIRTYING dirty_mb=256 rate=2000". */
  dirtyingLine: string;
  /** From launching QEMU to the ready line when the guest was booted to be saved (boot + memory fill). */
  bootTimeS: number;
  /** Loading the saved state into the source QEMU and resuming it. */
  restoreTimeS: number;
  /** From launching the source QEMU until its QMP socket answered. */
  qmpReadyS: number;
}

export interface MigrationHooks {
  /** Right after `migrate` was accepted (e.g. to kill the destination in a test). */
  onMigrating?: (live: LiveMigration) => void | Promise<void>;
  /** After a completed migration, before teardown (e.g. query-status on both sides). */
  afterCompletion?: (live: LiveMigration) => void | Promise<void>;
  /** Reasons the Xen policy forced the final pass, as they happen. */
  onPolicy?: (decision: PolicyDecision, pass: number) => void;
}

