/**
 * Fig. 7 on the real testbed: one run on a fresh testbed (web/network.ts),
 * a guest serving a static page from busybox httpd, its capacity measured
 * from the client namespace, then httperf at a fixed rate below it for
 * BEFORE_S seconds, during the migration and for AFTER_S seconds after the
 * guest runs at the destination; an unconditional teardown.
 */
import { READY_LINE, buildImage } from '../image.ts';
import { LINK_PROFILES, linkNames, linkRateBytesPerS, type Link } from '../links.ts';
import { armMigration, runMigration } from '../migration.ts';
import { migrationParameters } from '../policy.ts';
import { watchXenPolicy } from '../policy-watch.ts';
import { checkPrerequisites } from '../prereq.ts';
import { exitAsError } from '../procs.ts';
import { onFreshTestbed, type Testbed } from '../testbed.ts';
import { openSshTunnel, tcpTransport } from '../transport.ts';
import type { Accel, MigrationPolicy, SystemName } from '../types.ts';
import { SYSTEM_NAMES } from '../types.ts';
import { bootTimeoutMs, launchVm, waitForConsoleLine, type Vm, type VmConfig } from '../vm.ts';
import { loadRate, measureCapacity, type CapacityMeasurement } from './capacity.ts';
import { GUEST_HTTP_PORT, WEB_PAGE_URI } from './guest.ts';
import { startHttperf, type HttperfSummary, type RunningHttperf } from './httperf.ts';
import { GUEST_ADDRESS, createServiceNetwork, guestNic, readGuestPort, serviceNetworkNames, type ServiceNetworkNames } from './network.ts';
import { serviceTimeline, type ServiceTimeline } from './timeline.ts';

/** Load before the migration: long enough for a steady normal rate after the warm-up. */
export const BEFORE_S = 10;
/** Load after the guest resumes: at least one httperf timeout, so late failures are counted. */
export const AFTER_S = 10;
/** httperf --timeout: a request not answered within it has failed. */
export const REQUEST_TIMEOUT_S = 5;
export const WARM_UP_S = 2;

export interface QemuServiceRequest {
  system: SystemName;
  memoryMb: number;
  policy: MigrationPolicy;
  accel: Accel;
  /** Limit for the migration itself. */
  timeoutMs: number;
  imageDir: string;
  signal?: AbortSignal;
}

export interface ServiceContext {
  source: Vm;
  destination: Vm;
  link: Link;
  names: ServiceNetworkNames;
  testbed: Testbed;
}

export interface ServiceHooks {
  /** Right after the guest resumed at the destination, while the load still runs. */
  afterResume?: (context: ServiceContext) => void | Promise<void>;
}

export interface QemuServiceMeasurement extends ServiceTimeline {
  capacity: CapacityMeasurement;
  offeredRps: number;
  /** httperf's own summary of the loaded run (its 5 s reply-rate samples included). */
  httperf: HttperfSummary;
  /** Every failed request of the run: httperf's errors plus non-2xx replies. */
  failuresTotal: number;
  /** From `migrate` until the guest runs at the destination. */
  migrationTimeS: number;
  /** Source STOP to destination RESUME (QMP event timestamps). */
  downtimeS: number | undefined;
  /** The client bridge's port for the guest's MAC right after the move (dst0 once the self-announce arrived). */
  guestPortAfterResume: string | undefined;
  qemuVersion: string;
}

export function validateServiceRequest(request: QemuServiceRequest): void {
  if (!SYSTEM_NAMES.includes(request.system)) throw new Error(`unknown system ${String(request.system)}`);
  if (!Number.isInteger(request.memoryMb) || request.memoryMb < 96) {
    throw new Error(`memoryMb must be an integer of at least 96 (got ${request.memoryMb})`);
  }
  if (!(request.timeoutMs > 0) || !Number.isFinite(request.timeoutMs)) throw new Error('timeoutMs must be finite and > 0');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new Error('aborted');
}

/** Sleeps until `epochMs`; rejects on abort or when `failure` rejects first (and then stops the timer). */
async function sleepUntil(epochMs: number, signal: AbortSignal | undefined, failure: Promise<never>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        timer = setTimeout(resolve, Math.max(0, epochMs - Date.now()));
        onAbort = () => reject(new Error('aborted'));
        if (signal?.aborted === true) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
      failure,
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs Fig. 7 once and ALWAYS removes the testbed (processes, the three
 * namespaces with their bridges, taps and veths, /dev/shm file, private
 * directory). Throws one line on failure.
 */
export async function measureServiceOnce(request: QemuServiceRequest, hooks: ServiceHooks = {}): Promise<QemuServiceMeasurement> {
  const problem = checkPrerequisites();
  if (problem !== null) throw new Error(problem);
  validateServiceRequest(request);
  throwIfAborted(request.signal);
  const image = buildImage(request.imageDir);
  return onFreshTestbed('web run', (testbed) => runService(testbed, image, request, hooks));
}

async function runService(
  testbed: Testbed,
  image: ReturnType<typeof buildImage>,
  request: QemuServiceRequest,
  hooks: ServiceHooks,
): Promise<QemuServiceMeasurement> {
  const { signal } = request;
  const profile = LINK_PROFILES[request.system];
  const names = serviceNetworkNames(linkNames(process.pid, testbed.run));
  // Registered before anything exists, so a failure half-way is still cleaned up.
  testbed.linkNames = names;
  testbed.namespaces.push(names.clientNs);
  const link = createServiceNetwork(names, profile);
  const sharedMemoryPath = profile.zeroCopy ? testbed.createSharedMemory(request.memoryMb) : undefined;
  const track = testbed.track.bind(testbed);
  // The source boots its guest here rather than restoring a saved one (guest-state.ts): saved guests
  // have no NIC, and a run of this figure lasts tens of seconds anyway. The workload idles: it is
  // never sent dirty parameters on its control port.
  const vmConfig = (role: 'boot' | 'destination'): VmConfig => ({
    role,
    accel: request.accel,
    memoryMb: request.memoryMb,
    image,
    sharedMemoryPath,
    qmpSocket: `${testbed.dir}/${role}-qmp.sock`,
    serialLog: `${testbed.dir}/${role}-serial.log`,
    controlSocket: `${testbed.dir}/${role}-control.sock`,
    nic: guestNic(),
  });

  const source = await launchVm(vmConfig('boot'), names.sourceNs, track);
  testbed.qmpClients.push(source.qmp);
  const [, transport] = await Promise.all([
    waitForConsoleLine(source, READY_LINE, bootTimeoutMs(request.accel, request.memoryMb), signal),
    profile.transport === 'ssh' ? openSshTunnel(link, testbed.dir, track) : Promise.resolve(tcpTransport()),
  ]);
  throwIfAborted(signal);
  // The destination waits (idle) through the capacity measurement and the normal phase alike.
  const destination = await launchVm(vmConfig('destination'), names.destinationNs, track);
  testbed.qmpClients.push(destination.qmp);
  await armMigration(source, destination, {
    zeroCopy: profile.zeroCopy,
    parameters: migrationParameters(request.policy, linkRateBytesPerS(profile)),
    incomingUri: transport.incomingUri,
  });

  const target = { server: GUEST_ADDRESS, port: GUEST_HTTP_PORT, uri: WEB_PAGE_URI, timeoutS: REQUEST_TIMEOUT_S };
  const capacity = await measureCapacity(target, names.clientNs, track, signal);
  const offeredRps = loadRate(capacity.capacityRps);
  // Bounded like every load here: enough connections for the longest run allowed, then httperf stops by itself.
  const maxRunS = BEFORE_S + request.timeoutMs / 1000 + 30 + AFTER_S;
  const load = startHttperf({ ...target, ratePerS: offeredRps, connections: Math.ceil(offeredRps * maxRunS), perCall: true }, names.clientNs, track);
  const loadFailed = load.finished.then(
    (run): never => {
      throw new Error(`httperf finished early after ${run.summary.connections} connections`);
    },
    (error: unknown): never => {
      throw error;
    },
  );
  loadFailed.catch(() => undefined);
  const vmFailed = Promise.race([exitAsError(source.process), exitAsError(destination.process)]);
  vmFailed.catch(() => undefined);

  const loadStartMs = await firstRequest(load, signal, Promise.race([loadFailed, vmFailed]));
  await sleepUntil(loadStartMs + BEFORE_S * 1000, signal, Promise.race([loadFailed, vmFailed]));

  const since = source.qmp.nextEventSeq;
  const destinationSince = destination.qmp.nextEventSeq;
  const unwatch =
    request.policy === 'xen' && !profile.zeroCopy ? watchXenPolicy(source.qmp, request.memoryMb * 1024 * 1024) : () => undefined;
  const migrateMs = Date.now(); // the clock of QMP event timestamps and of httperf's call times
  try {
    await runMigration(source, destination, {
      uri: transport.migrateUri,
      timeoutMs: request.timeoutMs,
      since,
      signal,
      what: `${request.system}, ${request.memoryMb} MB, under web load`,
      alsoFailsOn: [loadFailed],
    });
  } finally {
    unwatch();
  }
  const resumed = await destination.qmp.waitForEvent('RESUME', { timeoutMs: 30_000, since: destinationSince });
  const stopped = await source.qmp.waitForEvent('STOP', { timeoutMs: 1000, since }).catch(() => undefined);
  const resumedMs = resumed.qemuTimeMs;
  // QEMU announces the guest (RARP from its MAC) 50 ms after it resumes, then 4 more times 100 ms apart.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const guestPortAfterResume = readGuestPort(names);
  await hooks.afterResume?.({ source, destination, link, names, testbed });

  await sleepUntil(resumedMs + AFTER_S * 1000, signal, Promise.race([loadFailed, exitAsError(destination.process)]));
  const loadEndMs = Date.now();
  const run = await load.interrupt();
  const { summary, calls } = run;
  if (calls.repliedMs.size !== summary.replies) {
    throw new Error(`httperf counted ${summary.replies} replies but printed ${calls.repliedMs.size} (output lost?)`);
  }
  const failuresTotal = summary.errors.total + (summary.replies - summary.status['2xx']);
  const timeline = serviceTimeline(
    calls,
    { loadStartMs, migrateMs, resumedMs, loadEndMs },
    { timeoutS: REQUEST_TIMEOUT_S, warmUpS: WARM_UP_S },
    failuresTotal,
  );
  return {
    ...timeline,
    capacity,
    offeredRps,
    httperf: summary,
    failuresTotal,
    migrationTimeS: (resumedMs - migrateMs) / 1000,
    downtimeS: stopped === undefined ? undefined : (resumedMs - stopped.qemuTimeMs) / 1000,
    guestPortAfterResume,
    qemuVersion: source.qmp.version,
  };
}

/** Epoch ms of httperf's first sent request (t = 0 of the series). */
async function firstRequest(load: RunningHttperf, signal: AbortSignal | undefined, failure: Promise<never>): Promise<number> {
  const deadline = Date.now() + 10_000;
  let stopped = false;
  const poll = (async (): Promise<number> => {
    while (!stopped) {
      const first = load.calls.sentMs.values().next();
      if (first.done !== true) return first.value;
      if (signal?.aborted === true) throw new Error('aborted');
      if (Date.now() > deadline) throw new Error('httperf sent no request within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('stopped');
  })();
  try {
    return await Promise.race([poll, failure]);
  } finally {
    stopped = true;
    poll.catch(() => undefined);
  }
}
