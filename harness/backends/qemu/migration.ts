/**
 * The QMP sequence of one measured migration between two running QEMUs,
 * shared by the figure runs (engine.ts) and Fig. 7's web run
 * (web/service.ts): arm both sides, then `migrate` under the policy's
 * watch, wait for its end (cancelling on timeout or abort), check that it
 * completed, and time the guest's pause from the STOP and RESUME events.
 */
import { AbortedError, TimeoutError } from './errors.ts';
import type { MigrationParameters, PolicyDecision } from './policy.ts';
import { watchXenPolicy } from './policy-watch.ts';
import { exitAsError } from './procs.ts';
import type { QmpClient, QmpEvent } from './qmp.ts';
import type { Vm } from './vm.ts';

/** MIGRATION event statuses after which nothing more happens. */
export const MIGRATION_TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** The subset of query-migrate the testbed reads. */
export interface MigrationInfo {
  status?: string;
  'total-time'?: number;
  downtime?: number;
  'error-desc'?: string;
  ram?: {
    transferred?: number;
    total?: number;
    normal?: number;
    duplicate?: number;
    'dirty-sync-count'?: number;
  };
}

/** Waits for the MIGRATION event that ends a migration begun after event `since`. */
export function waitForMigrationEnd(
  qmp: QmpClient,
  options: { timeoutMs: number; since: number; signal?: AbortSignal | undefined },
): Promise<QmpEvent> {
  return qmp.waitForEvent('MIGRATION', {
    predicate: (event) => MIGRATION_TERMINAL.has(String(event.data['status'])),
    timeoutMs: options.timeoutMs,
    since: options.since,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/**
 * Sets both sides' capabilities (`x-ignore-shared` explicitly on or off: a
 * restored source has it set) and the source's parameters, and lets the
 * destination listen on `incomingUri`.
 */
export async function armMigration(
  source: Vm,
  destination: Vm,
  options: { zeroCopy: boolean; parameters: MigrationParameters; incomingUri: string },
): Promise<void> {
  const capabilities = [
    { capability: 'events', state: true },
    { capability: 'x-ignore-shared', state: options.zeroCopy },
  ];
  for (const vm of [source, destination]) await vm.qmp.execute('migrate-set-capabilities', { capabilities });
  await source.qmp.execute('migrate-set-parameters', { ...options.parameters });
  await destination.qmp.execute('migrate-incoming', { uri: options.incomingUri });
}

export interface RunMigrationOptions {
  uri: string;
  /** From `migrate` to the end. */
  timeoutMs: number;
  /** The source's event sequence number taken before `migrate`. */
  since: number;
  signal?: AbortSignal | undefined;
  /** Named in the timeout error, e.g. "xen-nest, 512 MB". */
  what: string;
  /** Right after `migrate` was accepted. */
  onStarted?: () => void | Promise<void>;
  /** Anything else that ends the wait with an error (e.g. the web load dying). */
  alsoFailsOn?: readonly Promise<never>[];
}

/**
 * Issues `migrate` on the source and waits for its end; on timeout or abort
 * it sends `migrate_cancel` and throws one line. Returns query-migrate once
 * the migration completed, and the harness clock from `migrate` to the end
 * event; throws QEMU's error text (and the destination's last words if it
 * died) when it did not complete.
 */
export async function runMigration(
  source: Vm,
  destination: Vm,
  options: RunMigrationOptions,
): Promise<{ info: MigrationInfo; wallTimeS: number }> {
  const start = performance.now();
  await source.qmp.execute('migrate', { uri: options.uri });
  await options.onStarted?.();
  try {
    await Promise.race([
      waitForMigrationEnd(source.qmp, {
        timeoutMs: Math.max(0, options.timeoutMs - (performance.now() - start)),
        since: options.since,
        signal: options.signal,
      }),
      exitAsError(source.process),
      ...(options.alsoFailsOn ?? []),
    ]);
  } catch (error) {
    if (error instanceof TimeoutError || error instanceof AbortedError) {
      await source.qmp.execute('migrate_cancel').catch(() => undefined);
      if (error instanceof AbortedError) throw new AbortedError('migration aborted');
      throw new TimeoutError(`migration timed out after ${options.timeoutMs} ms (${options.what}); cancelled`);
    }
    throw error;
  }
  const wallTimeS = (performance.now() - start) / 1000;
  const info = await source.qmp.execute<MigrationInfo>('query-migrate');
  if (info.status !== 'completed') {
    const why = info['error-desc'] ?? `status ${String(info.status)}`;
    let tail = '';
    if (destination.process.hasExited()) {
      const output = destination.process.outputTail().split('\n').slice(-2).join(' | ');
      tail = ` (the destination QEMU had exited${output === '' ? '' : `: ${output}`})`;
    }
    throw new Error(`migration failed: ${why}${tail}`);
  }
  return { info, wallTimeS };
}

/** The guest-visible times of one migration, from event timestamps of one host clock (ms since the epoch). */
export interface MigrationInstants {
  /** Date.now() right before `migrate`. */
  readonly migrateMs: number;
  /** The source's STOP event; undefined when QEMU did not report one. */
  readonly stoppedMs: number | undefined;
  /** The destination's RESUME event: the guest runs again. */
  readonly resumedMs: number;
}

/**
 * Migration time and downtime as the paper means them: from `migrate` until
 * the guest runs at the destination, and from its STOP at the source to that
 * RESUME. Pure.
 */
export function guestTimes(instants: MigrationInstants): { migrationTimeS: number; downtimeS: number | undefined } {
  return {
    migrationTimeS: (instants.resumedMs - instants.migrateMs) / 1000,
    downtimeS: instants.stoppedMs === undefined ? undefined : (instants.resumedMs - instants.stoppedMs) / 1000,
  };
}

export interface MeasureMigrationOptions extends Omit<RunMigrationOptions, 'since'> {
  /** Emulate Xen's pre-copy termination (policy-watch.ts); off for zero-copy. */
  readonly xenPolicy: { readonly guestBytes: number; readonly onForce?: (decision: PolicyDecision, pass: number) => void } | undefined;
  /** Right after the destination's RESUME, before anything else (e.g. stop the link counters). */
  readonly onResumed?: () => void;
}

export interface MeasuredMigration extends MigrationInstants {
  readonly info: MigrationInfo;
  /** Harness clock from `migrate` to the end event. */
  readonly wallTimeS: number;
}

/**
 * One measured migration of an armed pair: the Xen policy's watch while it
 * runs, runMigration, then the destination's RESUME and the source's STOP.
 * Throws like runMigration.
 */
export async function measureMigration(source: Vm, destination: Vm, options: MeasureMigrationOptions): Promise<MeasuredMigration> {
  const { xenPolicy, onResumed, ...run } = options;
  const since = source.qmp.nextEventSeq;
  const destinationSince = destination.qmp.nextEventSeq;
  const unwatch =
    xenPolicy === undefined ? () => undefined : watchXenPolicy(source.qmp, xenPolicy.guestBytes, (decision, pass) => xenPolicy.onForce?.(decision, pass));
  const migrateMs = Date.now(); // the clock of QMP event timestamps (and of httperf's call times)
  let migrated: Awaited<ReturnType<typeof runMigration>>;
  try {
    migrated = await runMigration(source, destination, { ...run, since });
  } finally {
    unwatch(); // no policy action after the end
  }
  // QEMU's own total-time/downtime end when the source has handed the last
  // byte to its socket; the guest really runs again at the destination's RESUME.
  const resumed = await destination.qmp.waitForEvent('RESUME', { timeoutMs: 30_000, since: destinationSince });
  onResumed?.();
  const stopped = await source.qmp.waitForEvent('STOP', { timeoutMs: 1000, since }).catch(() => undefined);
  return { ...migrated, migrateMs, resumedMs: resumed.qemuTimeMs, stoppedMs: stopped?.qemuTimeMs };
}
