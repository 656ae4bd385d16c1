/**
 * The QMP sequence of one measured migration between two running QEMUs,
 * shared by the figure runs (engine.ts) and Fig. 7's web run
 * (web/service.ts): arm both sides, then `migrate`, wait for its end
 * (cancelling on timeout or abort), and check that it completed.
 */
import type { MigrationParameters } from './policy.ts';
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
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('timed out') || message.startsWith('aborted')) {
      await source.qmp.execute('migrate_cancel').catch(() => undefined);
      if (message.startsWith('aborted')) throw new Error('migration aborted');
      throw new Error(`migration timed out after ${options.timeoutMs} ms (${options.what}); cancelled`);
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
