/**
 * One migration on a fresh testbed: link (netns + veth + tc), transport
 * (ssh/tcp), source QEMU restored from the guest's saved state
 * (guest-state.ts) and its workload started, destination QEMU waiting with
 * -incoming defer, the migration driven over QMP events, counters sampled
 * once a second, and an unconditional teardown.
 */
import { GuestStateStore, restoreGuest } from './guest-state.ts';
import type { GuestImage } from './image.ts';
import { UNSHAPED_LINK_BYTES_PER_S, linkRateBytesPerS } from './link-profiles.ts';
import { createLink, linkNames, readLinkBytes, type Link } from './links.ts';
import { guestTimes } from './migration.ts';
import type { PolicyDecision } from './policy.ts';
import { CpuCounter, Sampler, binSamples, clockTicksPerSecond, processTree } from './sampler.ts';
import { armPair, checkNotAborted, launchSide, migratePair, onPairTestbed, openTransport, profileOf, type PairSetup } from './setup.ts';
import type { Testbed } from './testbed.ts';
import type { Transport } from './transport.ts';
import type { QemuMigrationMeasurement, QemuMigrationRequest } from './types.ts';
import { startWorkload, type Vm } from './vm.ts';

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

/** The figure runs' own check on top of the shared ones (setup.ts). */
function validateDirtying(request: QemuMigrationRequest): void {
  if (request.dirtyRegionMb < 0 || request.dirtyPagesPerS < 0) throw new Error('dirty region and rate must be >= 0');
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
    try {
      return await runOnTestbed(testbed, image, store, request, hooks);
    } finally {
      if (states === undefined) await store.dispose();
    }
  });
}

async function runOnTestbed(
  testbed: Testbed,
  image: GuestImage,
  states: GuestStateStore,
  request: QemuMigrationRequest,
  hooks: MigrationHooks,
): Promise<QemuMigrationMeasurement> {
  const { signal } = request;
  const profile = profileOf(request);
  const state = await states.state(request.accel, request.memoryMb, signal);
  checkNotAborted(request);
  const names = linkNames(process.pid, testbed.run);
  testbed.linkNames = names;
  const unshaped = request.unshapedLink === true;
  const link = createLink(profile, names, { shaped: !unshaped });
  const setup: PairSetup = {
    request,
    profile,
    testbed,
    image,
    link,
    // The source's RAM is a copy of the saved guest's; a zero-copy destination maps that same file.
    sharedMemoryPath: testbed.copySharedMemory(state.ramTemplatePath),
    linkBytesPerS: unshaped ? UNSHAPED_LINK_BYTES_PER_S : linkRateBytesPerS(profile),
  };

  // Restore the source and start its workload; meanwhile set up the tunnel
  // (key generation, sshd, ssh) and start the destination. (A zero-copy
  // destination maps the shared file now but touches no guest RAM before
  // `migrate-incoming`.)
  const launchStart = performance.now();
  const source = await launchSide(setup, 'source');
  const qmpReadyS = (performance.now() - launchStart) / 1000;
  let restoreTimeS = Number.NaN;
  const [dirtyingLine, transport, destination] = await Promise.all([
    (async () => {
      restoreTimeS = await restoreGuest(source, state);
      const workload = { dirtyRegionMb: request.dirtyRegionMb, dirtyPagesPerS: request.dirtyPagesPerS };
      return startWorkload(source, workload, 10_000, signal);
    })(),
    openTransport(setup),
    launchSide(setup, 'destination'),
  ]);
  checkNotAborted(request);
  await armPair(setup, source, destination, transport);

  const live: LiveMigration = {
    source,
    destination,
    link,
    transport,
    testbed,
    readyLine: state.readyLine,
    dirtyingLine,
    bootTimeS: state.bootTimeS,
    restoreTimeS,
    qmpReadyS,
  };
  const watched = [source.process.pid, destination.process.pid, ...transport.processes.map((proc) => proc.pid)];
  if (transport.sshdPid !== undefined) watched.push(...processTree(transport.sshdPid));
  const cpu = new CpuCounter(new Set(watched));
  const sampler = new Sampler(() => readLinkBytes(link, source.process.pid), cpu);

  sampler.start();
  try {
    return await migrateAndMeasure();
  } finally {
    sampler.stop();
  }

  async function migrateAndMeasure(): Promise<QemuMigrationMeasurement> {
    const migrated = await migratePair(setup, source, destination, transport, {
      onStarted: () => hooks.onMigrating?.(live),
      onPolicy: (decision, pass) => hooks.onPolicy?.(decision, pass),
      // The link counters run until the guest runs at the destination: the tail
      // still queued in socket buffers at source completion is counted too.
      onResumed: () => sampler.stop(),
    });
    const { info } = migrated;

    // The guest must run at the destination, and the source must be stopped.
    const destinationStatus = await destination.qmp.execute<{ status: string }>('query-status');
    if (destinationStatus.status !== 'running') {
      throw new Error(`destination is ${destinationStatus.status} after migration, expected running`);
    }
    const sourceStatus = await source.qmp.execute<{ status: string }>('query-status');
    if (sourceStatus.status !== 'postmigrate') {
      throw new Error(`source is ${sourceStatus.status} after migration, expected postmigrate`);
    }
    await hooks.afterCompletion?.(live);

    const samples = sampler.samples;
    const first = samples[0];
    const last = samples.at(-1);
    if (first === undefined || last === undefined) throw new Error('internal error: no counter samples');
    const ticks = clockTicksPerSecond();
    const series = binSamples(samples, ticks);
    const ram = info.ram ?? {};
    const guest = guestTimes(migrated);
    return {
      migrationTimeS: (info['total-time'] ?? Number.NaN) / 1000,
      wallTimeS: migrated.wallTimeS,
      downtimeS: (info.downtime ?? Number.NaN) / 1000,
      resumedAfterS: guest.migrationTimeS,
      guestDowntimeS: guest.downtimeS,
      networkBytes: last.linkBytes - first.linkBytes,
      iterations: ram['dirty-sync-count'] ?? 0,
      pagesSent:
        typeof ram.normal === 'number' && typeof ram.duplicate === 'number' ? ram.normal + ram.duplicate : undefined,
      cpuTimeS: (last.cpuTicks - first.cpuTicks) / ticks,
      bandwidthSeries: series.bandwidthSeries,
      cpuSeries: series.cpuSeries,
      guestMemoryMb: request.memoryMb,
      accel: request.accel,
      qemuVersion: source.qmp.version,
    };
  }
}
