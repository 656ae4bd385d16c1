/**
 * The QMP sequence of one measured migration between two running QEMUs,
 * shared by the figure runs (engine.ts) and Fig. 7's web run
 * (web/service.ts): arm both sides with the system's scheme, then `migrate`
 * under the policy's watch (and post-copy's switch), wait for its end
 * (cancelling on timeout, give-up or abort), check that it completed, and
 * time the guest's pause from the STOP and RESUME events.
 */
import { gaveUpError } from '../../experiment.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, TimeoutError } from './errors.ts';
import type { PolicyDecision } from './policy.ts';
import { watchXenPolicy } from './policy-watch.ts';
import { exitAsError } from './procs.ts';
import type { QmpClient, QmpEvent } from './qmp.ts';
import type { MigrationScheme } from './schemes.ts';
import type { Vm } from './vm.ts';

/** MIGRATION event statuses after which nothing more happens. */
export const MIGRATION_TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Where a measured migration stops waiting: also `postcopy-paused`, which
 * QEMU enters when post-copy loses the destination and from which only a
 * recovery (`migrate` with resume) that the testbed never attempts leads on.
 */
export const MIGRATION_ENDS = new Set([...MIGRATION_TERMINAL, 'postcopy-paused']);

/** How long the source may take to notice that the destination QEMU died before the wait gives up on it. */
export const DESTINATION_EXIT_GRACE_MS = 5000;

/** The subset of query-migrate the testbed reads. */
export interface MigrationInfo {
  status?: string;
  'total-time'?: number;
  downtime?: number;
  'error-desc'?: string;
  /** Pre-copy with auto-converge: the vCPU throttle QEMU applied last. */
  'cpu-throttle-percentage'?: number;
  ram?: {
    transferred?: number;
    total?: number;
    normal?: number;
    duplicate?: number;
    'dirty-sync-count'?: number;
  };
}

/** Waits for the MIGRATION event that ends a migration begun after event `since` (`ends`: the statuses that do). */
export function waitForMigrationEnd(
  qmp: QmpClient,
  options: { timeoutMs: number; since: number; signal?: AbortSignal | undefined; ends?: ReadonlySet<string> },
): Promise<QmpEvent> {
  const ends = options.ends ?? MIGRATION_TERMINAL;
  return qmp.waitForEvent('MIGRATION', {
    predicate: (event) => ends.has(String(event.data['status'])),
    timeoutMs: options.timeoutMs,
    since: options.since,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/**
 * Sets the scheme's capabilities on both sides, its parameters on each, and
 * lets the destination listen on `incomingUri`.
 */
export async function armMigration(source: Vm, destination: Vm, options: { scheme: MigrationScheme; incomingUri: string }): Promise<void> {
  const { scheme } = options;
  for (const vm of [source, destination]) await vm.qmp.execute('migrate-set-capabilities', { capabilities: scheme.capabilities });
  await source.qmp.execute('migrate-set-parameters', { ...scheme.sourceParameters });
  if (Object.keys(scheme.destinationParameters).length > 0) {
    await destination.qmp.execute('migrate-set-parameters', { ...scheme.destinationParameters });
  }
  await destination.qmp.execute('migrate-incoming', { uri: options.incomingUri });
}

export interface RunMigrationOptions {
  uri: string;
  /** From `migrate` to the end. */
  timeoutMs: number;
  /** The limit is the experiment's give-up for a scheme that may not converge, not the backend's timeout. */
  givingUp?: boolean;
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
 * Issues `migrate` on the source and waits for its end; on timeout, give-up
 * or abort it sends `migrate_cancel` and throws one line. Returns
 * query-migrate once the migration completed, and the harness clock from
 * `migrate` to the end event; throws QEMU's error text (and the
 * destination's last words if it died) when it did not complete.
 */
export async function runMigration(
  source: Vm,
  destination: Vm,
  options: RunMigrationOptions,
): Promise<{ info: MigrationInfo; wallTimeS: number }> {
  const start = performance.now();
  await source.qmp.execute('migrate', { uri: options.uri });
  await options.onStarted?.();
  // A source that has not noticed within the grace that its destination died would otherwise wait out the limit.
  const destinationGone = destination.process.exited.then(() => sleep(DESTINATION_EXIT_GRACE_MS, undefined, { ref: false }));
  try {
    await Promise.race([
      waitForMigrationEnd(source.qmp, {
        timeoutMs: Math.max(0, options.timeoutMs - (performance.now() - start)),
        since: options.since,
        signal: options.signal,
        ends: MIGRATION_ENDS,
      }),
      exitAsError(source.process),
      destinationGone,
      ...(options.alsoFailsOn ?? []),
    ]);
  } catch (error) {
    if (error instanceof TimeoutError || error instanceof AbortedError) {
      const info = await source.qmp.execute<MigrationInfo>('query-migrate').catch(() => undefined);
      await source.qmp.execute('migrate_cancel').catch(() => undefined);
      if (error instanceof AbortedError) throw new AbortedError('migration aborted');
      if (options.givingUp === true) throw new TimeoutError(giveUpMessage(options, info));
      throw new TimeoutError(`migration timed out after ${options.timeoutMs} ms (${options.what}); cancelled`);
    }
    throw error;
  }
  const wallTimeS = (performance.now() - start) / 1000;
  const info = await source.qmp.execute<MigrationInfo>('query-migrate');
  if (info.status !== 'completed') {
    const status = String(info.status);
    // Without an error-desc (QEMU 7.2 gives none for postcopy-paused) the source's last words say why.
    const said = source.process.outputTail().split('\n').at(-1)?.replace(/^qemu-system-\w+: /, '');
    const desc = info['error-desc'] ?? (said === undefined || said === '' ? undefined : said);
    // 'failed' says itself through QEMU's text; any other status (postcopy-paused) is named beside it.
    const why = desc === undefined ? `status ${status}` : status === 'failed' ? desc : `${status}: ${desc}`;
    let tail = '';
    if (destination.process.hasExited()) {
      const output = destination.process.outputTail().split('\n').slice(-2).join(' | ');
      tail = ` (the destination QEMU had exited${output === '' ? '' : `: ${output}`})`;
    }
    throw new Error(`migration failed: ${why}${tail}`);
  }
  return { info, wallTimeS };
}

/**
 * "migration did not converge within 240 s (xbzrle, 256 MB: still active after 23
 * passes); cancelled": the experiment's give-up (experiment.ts gaveUpError),
 * which the runner counts as an outcome of the scheme, not a broken run. A
 * post-copy still fetching pages at that time has not finished either.
 */
export function giveUpMessage(options: Pick<RunMigrationOptions, 'timeoutMs' | 'what'>, info: MigrationInfo | undefined): string {
  const seconds = Math.round(options.timeoutMs / 1000);
  const status = info?.status;
  const passes = info?.ram?.['dirty-sync-count'];
  const throttle = info?.['cpu-throttle-percentage'];
  const where = `${status === undefined ? 'status unknown' : `still ${status}`}${passes === undefined ? '' : ` after ${passes} passes`}`;
  const throttled = throttle === undefined ? '' : `, vCPU throttled ${throttle} %`;
  return gaveUpError(seconds, `${options.what}: ${where}${throttled}`).message;
}

/**
 * Subscribes to the source's MIGRATION_PASS events and, once the first
 * pre-copy pass has ended (pass 2: the second bitmap sync), asks QEMU to
 * switch to post-copy. Returns the unsubscribe function and what became of
 * the request.
 */
export function switchToPostcopyAfterFirstPass(source: QmpClient): { stop: () => void; error: () => string | undefined } {
  let asked = false;
  let error: string | undefined;
  const stop = source.onEvent((event) => {
    if (asked || event.event !== 'MIGRATION_PASS' || Number(event.data['pass']) < 2) return;
    asked = true;
    source.execute('migrate-start-postcopy').catch((failure: unknown) => {
      error = failure instanceof Error ? failure.message : String(failure);
    });
  });
  return { stop, error: () => error };
}

/** The guest-visible times of one migration, from event timestamps of one host clock (ms since the epoch). */
export interface MigrationInstants {
  /** Date.now() right before `migrate`. */
  readonly migrateMs: number;
  /** The source's STOP event; undefined when QEMU did not report one. */
  readonly stoppedMs: number | undefined;
  /** The destination's RESUME event: the guest runs again. */
  readonly resumedMs: number;
  /** Post-copy: the destination's completion, once every page has arrived (after the RESUME). */
  readonly postcopyDoneMs?: number;
}

/**
 * Migration time and downtime as the paper means them: from `migrate` until
 * the guest runs at the destination and needs nothing more from the source
 * (its RESUME; after post-copy, the destination's completion), and from its
 * STOP at the source to that RESUME. Pure.
 */
export function guestTimes(instants: MigrationInstants): { migrationTimeS: number; downtimeS: number | undefined } {
  return {
    migrationTimeS: (endedMs(instants) - instants.migrateMs) / 1000,
    downtimeS: instants.stoppedMs === undefined ? undefined : (instants.resumedMs - instants.stoppedMs) / 1000,
  };
}

/** When the migration was over for the guest (see guestTimes). */
export function endedMs(instants: MigrationInstants): number {
  return Math.max(instants.resumedMs, instants.postcopyDoneMs ?? instants.resumedMs);
}

export interface MeasureMigrationOptions extends Omit<RunMigrationOptions, 'since'> {
  /** Emulate Xen's pre-copy termination (policy-watch.ts); off for zero-copy and QEMU's schemes. */
  readonly xenPolicy: { readonly guestBytes: number; readonly onForce?: (decision: PolicyDecision, pass: number) => void } | undefined;
  /** Switch to post-copy once the first pass has ended. */
  readonly postcopyAfterFirstPass?: boolean;
  /** Once the migration is over for the guest, before anything else (e.g. stop the link counters). */
  readonly onEnded?: () => void;
}

export interface MeasuredMigration extends MigrationInstants {
  readonly info: MigrationInfo;
  /** Harness clock from `migrate` to the end event. */
  readonly wallTimeS: number;
  readonly switchedToPostcopy: boolean;
}

/**
 * One measured migration of an armed pair: the Xen policy's watch or
 * post-copy's switch while it runs, runMigration, then the destination's
 * RESUME (and after post-copy its completion) and the source's STOP.
 * Throws like runMigration.
 */
export async function measureMigration(source: Vm, destination: Vm, options: MeasureMigrationOptions): Promise<MeasuredMigration> {
  const { xenPolicy, postcopyAfterFirstPass, onEnded, ...run } = options;
  const since = source.qmp.nextEventSeq;
  const destinationSince = destination.qmp.nextEventSeq;
  const unwatch =
    xenPolicy === undefined ? () => undefined : watchXenPolicy(source.qmp, xenPolicy.guestBytes, (decision, pass) => xenPolicy.onForce?.(decision, pass));
  const postcopy = postcopyAfterFirstPass === true ? switchToPostcopyAfterFirstPass(source.qmp) : undefined;
  let switchedToPostcopy = false;
  const unwatchSwitch = source.qmp.onEvent((event) => {
    if (event.event === 'MIGRATION' && event.data['status'] === 'postcopy-active') switchedToPostcopy = true;
  });
  const migrateMs = Date.now(); // the clock of QMP event timestamps (and of httperf's call times)
  let migrated: Awaited<ReturnType<typeof runMigration>>;
  try {
    migrated = await runMigration(source, destination, { ...run, since });
  } finally {
    unwatch(); // no policy action after the end
    postcopy?.stop();
    unwatchSwitch();
  }
  const postcopyError = postcopy?.error();
  if (postcopyError !== undefined && !switchedToPostcopy) throw new Error(`migrate-start-postcopy failed: ${postcopyError}`);
  // QEMU's own total-time/downtime end when the source has handed the last
  // byte to its socket; the guest really runs again at the destination's RESUME.
  const resumed = await destination.qmp.waitForEvent('RESUME', { timeoutMs: 30_000, since: destinationSince });
  let postcopyDoneMs: number | undefined;
  if (switchedToPostcopy) {
    // The source completes once it has sent the last page; the destination once that page has arrived.
    const done = await waitForMigrationEnd(destination.qmp, { timeoutMs: 30_000, since: destinationSince, signal: run.signal });
    if (done.data['status'] !== 'completed') throw new Error(`migration failed: the destination's post-copy ended ${String(done.data['status'])}`);
    postcopyDoneMs = done.qemuTimeMs;
  }
  onEnded?.();
  const stopped = await source.qmp.waitForEvent('STOP', { timeoutMs: 1000, since }).catch(() => undefined);
  return {
    ...migrated,
    migrateMs,
    resumedMs: resumed.qemuTimeMs,
    stoppedMs: stopped?.qemuTimeMs,
    ...(postcopyDoneMs === undefined ? {} : { postcopyDoneMs }),
    switchedToPostcopy,
  };
}
