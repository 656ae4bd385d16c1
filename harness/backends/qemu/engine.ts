/**
 * One migration on a fresh testbed: link (netns + veth + tc), transport
 * (ssh/tcp), source QEMU restored from the guest's saved state
 * (guest-state.ts) and its workload started, destination QEMU waiting with
 * -incoming defer, the migration driven over QMP events, counters sampled
 * once a second, and an unconditional teardown.
 */
import { GuestStateStore, restoreGuest } from './guest-state.ts';
import { buildImage } from './image.ts';
import { LINK_PROFILES, UNSHAPED_LINK_BYTES_PER_S, createLink, linkNames, linkRateBytesPerS, readLinkBytes, type Link } from './links.ts';
import { armMigration, runMigration } from './migration.ts';
import { migrationParameters, type PolicyDecision } from './policy.ts';
import { watchXenPolicy } from './policy-watch.ts';
import { checkPrerequisites } from './prereq.ts';
import { CpuCounter, Sampler, binSamples, clockTicksPerSecond, processTree } from './sampler.ts';
import { onFreshTestbed, type Testbed } from './testbed.ts';
import { openSshTunnel, tcpTransport, type Transport } from './transport.ts';
import type { QemuMigrationMeasurement, QemuMigrationRequest } from './types.ts';
import { SYSTEM_NAMES } from './types.ts';
import { launchVm, startWorkload, type Vm, type VmRole } from './vm.ts';

/** What hooks (tests, diagnostics) can look at while the testbed exists. */
export interface MigrationContext {
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
  onMigrating?: (context: MigrationContext) => void | Promise<void>;
  /** After a completed migration, before teardown (e.g. query-status on both sides). */
  afterCompletion?: (context: MigrationContext) => void | Promise<void>;
  /** Reasons the Xen policy forced the final pass, as they happen. */
  onPolicy?: (decision: PolicyDecision, pass: number) => void;
}

export function validateRequest(request: QemuMigrationRequest): void {
  if (!SYSTEM_NAMES.includes(request.system)) throw new Error(`unknown system ${String(request.system)}`);
  if (!Number.isInteger(request.memoryMb) || request.memoryMb < 96) {
    throw new Error(`memoryMb must be an integer of at least 96 (got ${request.memoryMb})`);
  }
  if (request.dirtyRegionMb < 0 || request.dirtyPagesPerS < 0) throw new Error('dirty region and rate must be >= 0');
  if (!(request.timeoutMs > 0) || !Number.isFinite(request.timeoutMs)) throw new Error('timeoutMs must be finite and > 0');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new Error('migration aborted');
}

/**
 * Runs one migration and ALWAYS removes the testbed (processes, namespaces,
 * qdiscs, /dev/shm file, private directory), also when it fails.
 * Throws an Error with QEMU's error text on failure, or one saying
 * "timed out" when the migration did not finish within `timeoutMs`.
 * `states` keeps saved guests across calls (a sweep boots each size once);
 * without it the guest is booted, saved and restored for this call alone.
 */
export async function migrateOnce(
  request: QemuMigrationRequest,
  hooks: MigrationHooks = {},
  states?: GuestStateStore,
): Promise<QemuMigrationMeasurement> {
  const problem = checkPrerequisites();
  if (problem !== null) throw new Error(problem);
  validateRequest(request);
  throwIfAborted(request.signal);
  const image = buildImage(request.imageDir);
  const store = states ?? new GuestStateStore(image);
  try {
    return await onFreshTestbed('migration', (testbed) => runOnTestbed(testbed, image, store, request, hooks));
  } finally {
    if (states === undefined) await store.dispose();
  }
}

async function runOnTestbed(
  testbed: Testbed,
  image: ReturnType<typeof buildImage>,
  states: GuestStateStore,
  request: QemuMigrationRequest,
  hooks: MigrationHooks,
): Promise<QemuMigrationMeasurement> {
  const { signal } = request;
  const profile = LINK_PROFILES[request.system];
  const state = await states.state(request.accel, request.memoryMb, signal);
  throwIfAborted(signal);
  const names = linkNames(process.pid, testbed.run);
  testbed.linkNames = names;
  const unshaped = request.unshapedLink === true;
  const link = createLink(profile, names, { shaped: !unshaped });
  // The source's RAM is a copy of the saved guest's; a zero-copy destination maps that same file.
  const sourceMemoryPath = testbed.copySharedMemory(state.ramTemplatePath);
  const track = testbed.track.bind(testbed);
  const vmConfig = (role: VmRole): Parameters<typeof launchVm>[0] => ({
    role,
    accel: request.accel,
    memoryMb: request.memoryMb,
    image,
    sharedMemoryPath: role === 'source' || profile.zeroCopy ? sourceMemoryPath : undefined,
    qmpSocket: `${testbed.dir}/${role}-qmp.sock`,
    serialLog: `${testbed.dir}/${role}-serial.log`,
    controlSocket: `${testbed.dir}/${role}-control.sock`,
  });

  // Restore the source and start its workload; meanwhile set up the tunnel
  // (key generation, sshd, ssh) and start the destination. (A zero-copy
  // destination maps the shared file now but touches no guest RAM before
  // `migrate-incoming`.)
  const launchStart = performance.now();
  const source = await launchVm(vmConfig('source'), names.sourceNs, track);
  const qmpReadyS = (performance.now() - launchStart) / 1000;
  testbed.qmpClients.push(source.qmp);
  let restoreTimeS = Number.NaN;
  const [dirtyingLine, transport, destination] = await Promise.all([
    (async () => {
      restoreTimeS = await restoreGuest(source, state);
      const workload = { dirtyRegionMb: request.dirtyRegionMb, dirtyPagesPerS: request.dirtyPagesPerS };
      return startWorkload(source, workload, 10_000, signal);
    })(),
    profile.transport === 'ssh' ? openSshTunnel(link, testbed.dir, track) : Promise.resolve(tcpTransport()),
    launchVm(vmConfig('destination'), names.destinationNs, track).then((vm) => {
      testbed.qmpClients.push(vm.qmp);
      return vm;
    }),
  ]);
  throwIfAborted(signal);

  await armMigration(source, destination, {
    zeroCopy: profile.zeroCopy,
    parameters: migrationParameters(request.policy, unshaped ? UNSHAPED_LINK_BYTES_PER_S : linkRateBytesPerS(profile)),
    incomingUri: transport.incomingUri,
  });

  const context: MigrationContext = {
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
  const guestBytes = request.memoryMb * 1024 * 1024;
  const watched = [source.process.pid, destination.process.pid, ...transport.processes.map((proc) => proc.pid)];
  if (transport.sshdPid !== undefined) watched.push(...processTree(transport.sshdPid));
  const cpu = new CpuCounter(new Set(watched));
  const sampler = new Sampler(() => readLinkBytes(link, source.process.pid), cpu);

  // Xen policy: after each pass, decide whether to force the final stop-and-copy.
  const unsubscribe =
    request.policy === 'xen' && !profile.zeroCopy
      ? watchXenPolicy(source.qmp, guestBytes, (decision, pass) => hooks.onPolicy?.(decision, pass))
      : () => undefined;

  const since = source.qmp.nextEventSeq;
  const destinationSince = destination.qmp.nextEventSeq;
  sampler.start();
  try {
    return await migrateAndMeasure();
  } finally {
    sampler.stop();
    unsubscribe();
  }

  async function migrateAndMeasure(): Promise<QemuMigrationMeasurement> {
    const migrateEpochMs = Date.now(); // same clock as QMP event timestamps
    let migrated: Awaited<ReturnType<typeof runMigration>>;
    try {
      migrated = await runMigration(source, destination, {
        uri: transport.migrateUri,
        timeoutMs: request.timeoutMs,
        since,
        signal,
        what: `${request.system}, ${request.memoryMb} MB`,
        onStarted: () => hooks.onMigrating?.(context),
      });
    } finally {
      unsubscribe(); // no policy action after the end (idempotent; the caller unsubscribes too)
    }
    const { info } = migrated;

    // The guest must run at the destination, and the source must be stopped.
    // QEMU's own total-time/downtime end when the source has handed the last
    // byte to its socket; the guest really runs again at the destination's RESUME.
    const resumed = await destination.qmp.waitForEvent('RESUME', { timeoutMs: 30_000, since: destinationSince });
    // The link counters run until the guest runs at the destination: the tail
    // still queued in socket buffers at source completion is counted too.
    sampler.stop();
    const stopped = await source.qmp
      .waitForEvent('STOP', { timeoutMs: 1000, since })
      .catch(() => undefined);
    const destinationStatus = await destination.qmp.execute<{ status: string }>('query-status');
    if (destinationStatus.status !== 'running') {
      throw new Error(`destination is ${destinationStatus.status} after migration, expected running`);
    }
    const sourceStatus = await source.qmp.execute<{ status: string }>('query-status');
    if (sourceStatus.status !== 'postmigrate') {
      throw new Error(`source is ${sourceStatus.status} after migration, expected postmigrate`);
    }
    await hooks.afterCompletion?.(context);

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
      resumedAfterS: (resumed.qemuTimeMs - migrateEpochMs) / 1000,
      guestDowntimeS: stopped === undefined ? undefined : (resumed.qemuTimeMs - stopped.qemuTimeMs) / 1000,
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
