/**
 * The set-up every measured migration of the testbed shares, whether a
 * figure run (engine.ts) or Fig. 7's web run (web/service.ts): the request
 * checks, the guest image, a fresh testbed, both QEMUs' configuration and
 * launch (their QMP connections registered for teardown), the transport and
 * the arming of both sides. The callers differ only in the network they
 * build and how the source's guest comes to run (restored or booted).
 */
import { buildImage, type GuestImage } from './image.ts';
import { LINK_PROFILES, type LinkProfile } from './link-profiles.ts';
import type { Link } from './links.ts';
import { armMigration, measureMigration, type MeasureMigrationOptions, type MeasuredMigration } from './migration.ts';
import type { PolicyDecision } from './policy.ts';
import { checkPrerequisites } from './prereq.ts';
import { schemeOf, type MigrationScheme } from './schemes.ts';
import { onFreshTestbed, type Testbed } from './testbed.ts';
import { openSshTunnel, tcpTransport, type Transport } from './transport.ts';
import { SYSTEM_NAMES, type PairRequest } from './types.ts';
import { launchVm, type Vm, type VmConfig, type VmRole } from './vm.ts';
import type { GuestNic } from './web/guest.ts';
import { throwIfAborted } from './errors.ts';
import { carrierOf } from '../../systems.ts';

export type { PairRequest };

/** The one message of an aborted migration, whichever step the abort interrupted. */
export const ABORTED_MESSAGE = 'migration aborted';

export function validatePairRequest(request: PairRequest): void {
  if (!SYSTEM_NAMES.includes(request.system)) throw new Error(`unknown system ${String(request.system)}`);
  if (!Number.isInteger(request.memoryMb) || request.memoryMb < 96) {
    throw new Error(`memoryMb must be an integer of at least 96 (got ${request.memoryMb})`);
  }
  if (!(request.timeoutMs > 0) || !Number.isFinite(request.timeoutMs)) throw new Error('timeoutMs must be finite and > 0');
  if (request.giveUpAfterS !== undefined && !(request.giveUpAfterS > 0 && Number.isFinite(request.giveUpAfterS))) {
    throw new Error(`giveUpAfterS must be finite and > 0 (got ${request.giveUpAfterS})`);
  }
}

/** Throws AbortedError(ABORTED_MESSAGE) once the request's signal has fired. */
export function checkNotAborted(request: PairRequest): void {
  throwIfAborted(request.signal, ABORTED_MESSAGE);
}

/**
 * Checks the prerequisites and the request (`validate`: the caller's own
 * checks, after the shared ones), builds the guest image and runs `work` on
 * a fresh testbed that is ALWAYS removed afterwards.
 */
export async function onPairTestbed<R extends PairRequest, T>(
  what: string,
  request: R,
  validate: (request: R) => void,
  work: (testbed: Testbed, image: GuestImage) => Promise<T>,
): Promise<T> {
  const problem = checkPrerequisites();
  if (problem !== null) throw new Error(problem);
  validatePairRequest(request);
  validate(request);
  checkNotAborted(request);
  const image = buildImage(request.imageDir);
  return await onFreshTestbed(what, (testbed) => work(testbed, image));
}

/** One migration's testbed once its network exists. */
export interface PairSetup {
  readonly request: PairRequest;
  readonly profile: LinkProfile;
  readonly testbed: Testbed;
  readonly image: GuestImage;
  readonly link: Link;
  /** The source's guest RAM file; the destination maps it too when the system is zero-copy. */
  readonly sharedMemoryPath: string | undefined;
  /** Fig. 7's NIC, on both sides. */
  readonly nic?: GuestNic;
  /** The rate QEMU's parameters are derived from (the shaped link, or a nominal one when unshaped). */
  readonly linkBytesPerS: number;
  /** Start the destination where the source's shared memory cannot be opened (procs.ts hiddenShmArgv). */
  readonly hideSharedMemory?: boolean;
}

export function profileOf(request: PairRequest): LinkProfile {
  return LINK_PROFILES[carrierOf(request.system)];
}

/** Both sides share RAM block names and devices, so what one saved or sent loads into the other. */
export function vmConfig(setup: PairSetup, role: VmRole): VmConfig {
  const { testbed, request } = setup;
  return {
    role,
    accel: request.accel,
    memoryMb: request.memoryMb,
    image: setup.image,
    sharedMemoryPath: role !== 'destination' || setup.profile.zeroCopy ? setup.sharedMemoryPath : undefined,
    qmpSocket: `${testbed.dir}/${role}-qmp.sock`,
    serialLog: `${testbed.dir}/${role}-serial.log`,
    controlSocket: `${testbed.dir}/${role}-control.sock`,
    ...(setup.nic === undefined ? {} : { nic: setup.nic }),
  };
}

/** Starts one side's QEMU in its namespace; its process and QMP connection are torn down with the testbed. */
export async function launchSide(setup: PairSetup, role: VmRole): Promise<Vm> {
  const netns = role === 'destination' ? setup.link.names.destinationNs : setup.link.names.sourceNs;
  const hide = role === 'destination' && setup.hideSharedMemory === true;
  const vm = await launchVm(vmConfig(setup, role), netns, setup.testbed.track.bind(setup.testbed), hide);
  setup.testbed.qmpClients.push(vm.qmp);
  return vm;
}

/** The system's transport: an SSH tunnel across the link, or plain TCP. */
export function openTransport(setup: PairSetup): Promise<Transport> {
  return setup.profile.transport === 'ssh'
    ? openSshTunnel(setup.link, setup.testbed.dir, setup.testbed.track.bind(setup.testbed))
    : Promise.resolve(tcpTransport());
}

/** The QMP settings of the request's system on this link (schemes.ts). */
export function schemeOfSetup(setup: PairSetup): MigrationScheme {
  return schemeOf(setup.request.system, setup.request.policy, setup.profile.zeroCopy, setup.linkBytesPerS);
}

/** The scheme's capabilities and parameters on both sides, and the destination's listening socket. */
export function armPair(setup: PairSetup, source: Vm, destination: Vm, transport: Transport): Promise<void> {
  return armMigration(source, destination, { scheme: schemeOfSetup(setup), incomingUri: transport.incomingUri });
}

/** The limit of one migration: the backend's timeout, or the experiment's give-up when that is sooner. */
export function migrationLimit(request: Pick<PairRequest, 'timeoutMs' | 'giveUpAfterS'>): { timeoutMs: number; givingUp: boolean } {
  const giveUpMs = request.giveUpAfterS === undefined ? Number.POSITIVE_INFINITY : request.giveUpAfterS * 1000;
  return giveUpMs < request.timeoutMs ? { timeoutMs: giveUpMs, givingUp: true } : { timeoutMs: request.timeoutMs, givingUp: false };
}

export interface PairMigrationOptions extends Pick<MeasureMigrationOptions, 'onStarted' | 'alsoFailsOn' | 'onEnded'> {
  /** Added to "<system>, <memory> MB" in the timeout message. */
  readonly whatElse?: string;
  /** Reasons the Xen policy forced the final pass, as they happen. */
  readonly onPolicy?: (decision: PolicyDecision, pass: number) => void;
}

/**
 * Migrates an armed pair under the request's limit, abort and the scheme's
 * policy (Xen's termination is emulated for pre-copy only: zero-copy has no
 * passes, QEMU's schemes converge by QEMU's rule), switching to post-copy
 * when the scheme does, and times the guest's pause (migration.ts
 * measureMigration).
 */
export function migratePair(setup: PairSetup, source: Vm, destination: Vm, transport: Transport, options: PairMigrationOptions = {}): Promise<MeasuredMigration> {
  const { request } = setup;
  const scheme = schemeOfSetup(setup);
  const { whatElse, onPolicy, ...hooks } = options;
  return measureMigration(source, destination, {
    ...hooks,
    ...migrationLimit(request),
    uri: transport.migrateUri,
    signal: request.signal,
    what: `${request.system}, ${request.memoryMb} MB${whatElse ?? ''}`,
    xenPolicy:
      scheme.policy === 'xen' && !scheme.zeroCopy
        ? { guestBytes: request.memoryMb * 1024 * 1024, ...(onPolicy === undefined ? {} : { onForce: onPolicy }) }
        : undefined,
    postcopyAfterFirstPass: scheme.postcopyAfterFirstPass,
  });
}
