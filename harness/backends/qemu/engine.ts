/**
 * One migration on a fresh testbed: link (netns + veth + tc), transport
 * (ssh/tcp), source QEMU restored from the guest's saved state
 * (guest-state.ts) and its workload started, destination QEMU waiting with
 * -incoming defer (for `auto`, started once it has chosen: auto.ts), the
 * migration driven over QMP events, counters sampled once a second, the
 * guest's writes read around it, and an unconditional teardown.
 */
import { carrierOf } from '../../systems.ts';
import { mergedSamples, type ControlPort } from './control-port.ts';
import { GuestStateStore } from './guest-state.ts';
import { AFTER_S, BEFORE_S, guestWrites, type MigrationWindow } from './guest-writes.ts';
import type { GuestImage } from './image.ts';
import { LINK_PROFILES } from './link-profiles.ts';
import { readLinkBytes } from './links.ts';
import type { LiveMigration, MigrationHooks } from './live.ts';
import { endedMs, guestTimes, type MeasuredMigration } from './migration.ts';
import { armFigurePair, type ArmedPair } from './pair.ts';
import { CpuCounter, Sampler, binSamples, clockTicksPerSecond, processTree } from './sampler.ts';
import { ABORTED_MESSAGE, checkNotAborted, migratePair, onPairTestbed } from './setup.ts';
import type { Testbed } from './testbed.ts';
import type { QemuMigrationMeasurement, QemuMigrationRequest } from './types.ts';
import { exitAsError } from './procs.ts';
import { brokenGuestLine } from './vm.ts';
import { pauseUntil } from './wait.ts';

export type { LiveMigration, MigrationHooks };

/** Past a window's edge, so that a write report (every 100 ms) lies beyond it. */
const REPORT_MARGIN_MS = 250;

/** The figure runs' own checks on top of the shared ones (setup.ts). */
function validateDirtying(request: QemuMigrationRequest): void {
  if (request.dirtyRegionMb < 0 || request.dirtyPagesPerS < 0) throw new Error('dirty region and rate must be >= 0');
  if (request.hideSharedMemory === true && request.system !== 'auto' && LINK_PROFILES[carrierOf(request.system)].zeroCopy) {
    throw new Error(`${request.system} maps the source's shared memory at the destination: it cannot run with that memory hidden`);
  }
}

/**
 * Runs one migration and ALWAYS removes the testbed (processes, namespaces,
 * qdiscs, /dev/shm file, private directory), also when it fails.
 * Throws an Error with QEMU's error text on failure, a TimeoutError when the
 * migration did not finish within `timeoutMs`, an AbortedError on abort.
 * `states` keeps saved guests across calls (a sweep boots each size once);
 * without it the guest is booted, saved and restored for this call alone.
 */
export function migrateOnce(
  request: QemuMigrationRequest,
  hooks: MigrationHooks = {},
  states?: GuestStateStore,
): Promise<QemuMigrationMeasurement> {
  return onPairTestbed('migration', request, validateDirtying, async (testbed, image) => {
    const store = states ?? new GuestStateStore(image);
    const ports: ControlPort[] = [];
    try {
      return await measureOnTestbed(testbed, image, store, request, hooks, ports);
    } finally {
      for (const port of ports) port.close();
      if (states === undefined) await store.dispose();
    }
  });
}

async function measureOnTestbed(
  testbed: Testbed,
  image: GuestImage,
  states: GuestStateStore,
  request: QemuMigrationRequest,
  hooks: MigrationHooks,
  ports: ControlPort[],
): Promise<QemuMigrationMeasurement> {
  const { signal } = request;
  const state = await states.state(request.accel, request.memoryMb, signal);
  checkNotAborted(request);
  const pair = await armFigurePair(testbed, image, state, request, ports);
  const { setup, source, destination, link, transport } = pair;
  const live: LiveMigration = {
    source,
    destination,
    link,
    transport,
    testbed,
    readyLine: state.readyLine,
    dirtyingLine: pair.dirtyingLine,
    bootTimeS: state.bootTimeS,
    restoreTimeS: pair.restoreTimeS,
    qmpReadyS: pair.qmpReadyS,
  };
  const dirtying = request.dirtyRegionMb > 0 && request.dirtyPagesPerS > 0;
  const running = (vm: typeof source) => ({
    signal,
    abortMessage: ABORTED_MESSAGE,
    failure: Promise.race([exitAsError(vm.process), ...pair.ports.map((port) => port.failed)]),
  });
  if (dirtying) {
    // The before window starts once set-up is over and the guest has reported for a while.
    const firstReportMs = pair.ports[0]?.firstReportMs ?? Date.now();
    await pauseUntil(Math.max(pair.armedMs, firstReportMs) + BEFORE_S * 1000 + REPORT_MARGIN_MS, running(source));
  }

  const watched = [source.process.pid, destination.process.pid, ...pair.transportPids];
  for (const sshd of pair.sshdPids) watched.push(...processTree(sshd));
  const cpu = new CpuCounter(new Set(watched));
  const sampler = new Sampler(() => readLinkBytes(link, source.process.pid), cpu);
  sampler.start();
  let migrated: Awaited<ReturnType<typeof migratePair>>;
  try {
    migrated = await migratePair(setup, source, destination, transport, {
      onStarted: () => hooks.onMigrating?.(live),
      onPolicy: (decision, pass) => hooks.onPolicy?.(decision, pass),
      // The link counters run until the migration is over for the guest: the tail
      // still queued in socket buffers at source completion is counted too.
      onEnded: () => sampler.stop(),
      whatElse: whatElse(request, pair),
    });
  } finally {
    sampler.stop();
  }
  await checkFinalStates(pair);
  const endMs = endedMs(migrated);
  if (dirtying) await pauseUntil(endMs + AFTER_S * 1000 + REPORT_MARGIN_MS, running(destination));
  checkGuestIntact(pair);
  await hooks.afterCompletion?.(live);

  const { info } = migrated;
  const samples = sampler.samples;
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined) throw new Error('internal error: no counter samples');
  const ticks = clockTicksPerSecond();
  const series = binSamples(samples, ticks);
  const ram = info.ram ?? {};
  return {
    migrationTimeS: (info['total-time'] ?? Number.NaN) / 1000,
    wallTimeS: migrated.wallTimeS,
    downtimeS: (info.downtime ?? Number.NaN) / 1000,
    resumedAfterS: (migrated.resumedMs - migrated.migrateMs) / 1000,
    endedAfterS: guestTimes(migrated).migrationTimeS,
    guestDowntimeS: guestTimes(migrated).downtimeS,
    networkBytes: last.linkBytes - first.linkBytes,
    iterations: ram['dirty-sync-count'] ?? 0,
    pagesSent: typeof ram.normal === 'number' && typeof ram.duplicate === 'number' ? ram.normal + ram.duplicate : undefined,
    cpuTimeS: (last.cpuTicks - first.cpuTicks) / ticks,
    bandwidthSeries: series.bandwidthSeries,
    cpuSeries: series.cpuSeries,
    guestMemoryMb: request.memoryMb,
    accel: request.accel,
    qemuVersion: source.qmp.version,
    scheme: pair.scheme,
    switchedToPostcopy: migrated.switchedToPostcopy,
    guestWrites: dirtying ? guestWrites(mergedSamples(...pair.ports), guestWindow(migrated, endMs)) : undefined,
    autoDecision: pair.decision,
  };
}

/** The windows of the guest's writes: `migrate`, the end, and the VM's stop when QEMU reported it. */
function guestWindow(migrated: MeasuredMigration, endMs: number): MigrationWindow {
  const pause = migrated.stoppedMs === undefined ? {} : { pause: { fromMs: migrated.stoppedMs, toMs: migrated.resumedMs } };
  return { migrateMs: migrated.migrateMs, endMs, ...pause };
}

/** The guest must run at the destination, and the source must be stopped. */
async function checkFinalStates(pair: ArmedPair): Promise<void> {
  const destinationStatus = await pair.destination.qmp.execute<{ status: string }>('query-status');
  if (destinationStatus.status !== 'running') {
    throw new Error(`destination is ${destinationStatus.status} after migration, expected running`);
  }
  const sourceStatus = await pair.source.qmp.execute<{ status: string }>('query-status');
  if (sourceStatus.status !== 'postmigrate') {
    throw new Error(`source is ${sourceStatus.status} after migration, expected postmigrate`);
  }
}

/**
 * The migrated guest must be whole: its workload found every write where it
 * left it (it checks its whole region every second), and its kernel did not
 * fall over. A migration that lost memory completed in QEMU's eyes only.
 */
function checkGuestIntact(pair: ArmedPair): void {
  const corrupt = pair.ports.find((port) => port.corruption !== undefined)?.corruption;
  if (corrupt !== undefined) throw new Error(`the migrated guest lost writes: ${corrupt}`);
  const broken = brokenGuestLine(pair.destination);
  if (broken !== undefined) throw new Error(`the migrated guest broke: ${broken}`);
}

/** What a timeout or give-up message adds to "<system>, <memory> MB": the rate, and auto's part. */
function whatElse(request: QemuMigrationRequest, pair: ArmedPair): string {
  const rate = request.dirtyPagesPerS > 0 && request.dirtyRegionMb > 0 ? `, ${request.dirtyPagesPerS} pages/s` : '';
  return `${rate}${pair.decision === undefined ? '' : ', chosen by auto'}`;
}

