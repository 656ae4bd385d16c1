/**
 * Fig. 7 on the real testbed: one run on a fresh testbed (web/network.ts),
 * a guest serving a static page from busybox httpd, its capacity measured
 * from the client namespace, then httperf at a fixed rate below it for
 * BEFORE_S seconds, during the migration and for AFTER_S seconds after the
 * guest runs at the destination; an unconditional teardown.
 */
import { READY_LINE, type GuestImage } from '../image.ts';
import { linkRateBytesPerS } from '../link-profiles.ts';
import { linkNames, type Link } from '../links.ts';
import { guestTimes } from '../migration.ts';
import { exitAsError } from '../procs.ts';
import {
  ABORTED_MESSAGE,
  armPair,
  checkNotAborted,
  launchSide,
  migratePair,
  onPairTestbed,
  openTransport,
  profileOf,
  type PairSetup,
} from '../setup.ts';
import type { Testbed } from '../testbed.ts';
import type { PairRequest } from '../types.ts';
import { bootTimeoutMs, waitForConsoleLine, type Vm } from '../vm.ts';
import { pause, pauseUntil, pollUntil } from '../wait.ts';
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

/** Fig. 7 asks nothing beyond what every migration of the testbed has. */
export type QemuServiceRequest = PairRequest;

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

/**
 * Runs Fig. 7 once and ALWAYS removes the testbed (processes, the three
 * namespaces with their bridges, taps and veths, /dev/shm file, private
 * directory). Throws one line on failure.
 */
export function measureServiceOnce(request: QemuServiceRequest, hooks: ServiceHooks = {}): Promise<QemuServiceMeasurement> {
  return onPairTestbed('web run', request, () => undefined, (testbed, image) => runService(testbed, image, request, hooks));
}

async function runService(testbed: Testbed, image: GuestImage, request: QemuServiceRequest, hooks: ServiceHooks): Promise<QemuServiceMeasurement> {
  const { signal } = request;
  const profile = profileOf(request);
  const names = serviceNetworkNames(linkNames(process.pid, testbed.run));
  // Registered before anything exists, so a failure half-way is still cleaned up.
  testbed.linkNames = names;
  testbed.namespaces.push(names.clientNs);
  const link = createServiceNetwork(names, profile);
  // The source boots its guest here rather than restoring a saved one (guest-state.ts): saved guests
  // have no NIC, and a run of this figure lasts tens of seconds anyway. The workload idles: it is
  // never sent dirty parameters on its control port.
  const setup: PairSetup = {
    request,
    profile,
    testbed,
    image,
    link,
    sharedMemoryPath: profile.zeroCopy ? testbed.createSharedMemory(request.memoryMb) : undefined,
    nic: guestNic(),
    linkBytesPerS: linkRateBytesPerS(profile),
  };
  const track = testbed.track.bind(testbed);

  const source = await launchSide(setup, 'boot');
  const [, transport] = await Promise.all([
    waitForConsoleLine(source, READY_LINE, bootTimeoutMs(request.accel, request.memoryMb), signal),
    openTransport(setup),
  ]);
  checkNotAborted(request);
  // The destination waits (idle) through the capacity measurement and the normal phase alike.
  const destination = await launchSide(setup, 'destination');
  await armPair(setup, source, destination, transport);

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
  const beforeFailure = { signal, abortMessage: ABORTED_MESSAGE, failure: Promise.race([loadFailed, vmFailed]) };

  const loadStartMs = await firstRequest(load, beforeFailure);
  await pauseUntil(loadStartMs + BEFORE_S * 1000, beforeFailure);

  const migrated = await migratePair(setup, source, destination, transport, { whatElse: ', under web load', alsoFailsOn: [loadFailed] });
  const { migrateMs, resumedMs } = migrated;
  // QEMU announces the guest (RARP from its MAC) 50 ms after it resumes, then 4 more times 100 ms apart.
  await pause(500);
  const guestPortAfterResume = readGuestPort(names);
  await hooks.afterResume?.({ source, destination, link, names, testbed });

  await pauseUntil(resumedMs + AFTER_S * 1000, {
    signal,
    abortMessage: ABORTED_MESSAGE,
    failure: Promise.race([loadFailed, exitAsError(destination.process)]),
  });
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
  const times = guestTimes(migrated);
  return {
    ...timeline,
    capacity,
    offeredRps,
    httperf: summary,
    failuresTotal,
    migrationTimeS: times.migrationTimeS,
    downtimeS: times.downtimeS,
    guestPortAfterResume,
    qemuVersion: source.qmp.version,
  };
}

/** Epoch ms of httperf's first sent request (t = 0 of the series). */
function firstRequest(load: RunningHttperf, options: Parameters<typeof pause>[1]): Promise<number> {
  return pollUntil(
    () => {
      const first = load.calls.sentMs.values().next();
      return first.done === true ? undefined : first.value;
    },
    { ...options, timeoutMs: 10_000, timeoutMessage: () => 'httperf sent no request within 10 s' },
  );
}
