/**
 * The simulator's two profiles and EVERYTHING that differs between them, in
 * one list. `paper` is the paper's nested-Xen testbed as modelled
 * (parameters.ts, PAPER_PARAMETERS). `host` is the qemu testbed on this
 * machine (docs/qemu-testbed.md): the same model with the mechanisms that
 * differ switched and the hardware-dependent constants taken from the
 * measured host profile (npm run calibrate) and the testbed's own link
 * profiles and policy. Nothing here is fitted to the testbed's results:
 * each host value is a measurement of this host, a constant of the code the
 * testbed runs (QEMU 7.2, OpenSSH 9.2, Linux, the harness's own qemu
 * backend), or an assumption stated as such.
 *
 * hostParameters() applies every entry of PROFILE_DIFFERENCES to
 * PAPER_PARAMETERS and nothing else; a test checks that every parameter
 * the two profiles disagree on is claimed by an entry.
 */
import { linkAt, measuredTestbed, type HostProfile, type MeasuredTestbed } from '../../calibrate/profile.ts';
import { SYSTEMS, type SystemName } from '../../systems.ts';
import { LINK_PROFILES, linkRateBytesPerS, tbfQueueBytes } from '../qemu/links.ts';
import { XEN_MAX_FACTOR, XEN_MAX_ITERS, migrationParameters } from '../qemu/policy.ts';
import type { MigrationPolicy } from '../qemu/types.ts';
import { PAPER_PARAMETERS, cpuSecondsPerStreamByte, type GuestMemory, type PathStage, type SimParameters } from './parameters.ts';
import type { GuestP2m } from './p2m.ts';

type PrecopySystem = Exclude<SystemName, 'vmbeam'>;
const PRECOPY_SYSTEMS = SYSTEMS.filter((system): system is PrecopySystem => system !== 'vmbeam');
const LINK_STAGES = ['emulatedNic', 'blanketIpc', 'gigabitEthernet'] as const satisfies readonly PathStage[];

/** What the host profile is built from. */
export interface HostInputs {
  readonly profile: HostProfile;
  readonly testbed: MeasuredTestbed;
  /** The qemu testbed's --policy: `xen` emulates Xen 4.2.2's stop rules, `qemu` leaves QEMU's. */
  readonly policy: MigrationPolicy;
  /** The qemu testbed's --timeout: a migration still running then is cancelled. */
  readonly timeoutS: number;
}

export function hostInputs(profile: HostProfile, label: string, policy: MigrationPolicy, timeoutS: number): HostInputs {
  return { profile, testbed: measuredTestbed(profile, label), policy, timeoutS };
}

/** One difference between the profiles, rendered for reports and run.json. */
export interface ProfileDifference {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paperSource: string;
  readonly hostSource: string;
  /** Parameter paths this entry sets (`*` stands for any one key). */
  readonly paths: readonly string[];
  paperValue(parameters: SimParameters): string;
  hostValue(inputs: HostInputs): string;
  apply(parameters: SimParameters, inputs: HostInputs): SimParameters;
}

interface DifferenceSpec<T> {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paperSource: string;
  readonly hostSource: string;
  readonly paths: readonly string[];
  readonly paper: (parameters: SimParameters) => T;
  readonly host: (inputs: HostInputs) => T;
  readonly apply: (parameters: SimParameters, value: T) => SimParameters;
  readonly format: (value: T) => string;
}

function difference<T>(spec: DifferenceSpec<T>): ProfileDifference {
  return {
    id: spec.id,
    what: spec.what,
    unit: spec.unit,
    paperSource: spec.paperSource,
    hostSource: spec.hostSource,
    paths: spec.paths,
    paperValue: (parameters) => spec.format(spec.paper(parameters)),
    hostValue: (inputs) => spec.format(spec.host(inputs)),
    apply: (parameters, inputs) => spec.apply(parameters, spec.host(inputs)),
  };
}

// ---- constants of the code the testbed runs ------------------------------------------

/** OpenSSH frames 32 KiB of channel data with about 40 bytes (length, padding, MAC, channel header). */
const SSH_FRAMING = 1 + 40 / 32768;
/** OpenSSH CHAN_TCP_WINDOW_DEFAULT (64 x CHAN_TCP_PACKET_DEFAULT = 32 KiB): channel data in flight before sshd must acknowledge. */
const SSH_CHANNEL_WINDOW_BYTES = 64 * 32 * 1024;
/** Linux net.core.wmem_default: the send buffer of the unix socket between QEMU and ssh. */
const UNIX_SOCKET_BUFFER_BYTES = 212_992;
/** QEMU 7.2 ram.c: each page record starts with an 8-byte offset|flags word; a zero page adds 1 byte (save_zero_page_to_file). */
const QEMU_ZERO_PAGE_BYTES = 8 + 1;
/** Linux: a 64-byte struct page per 4 KiB frame is what the kernel keeps back of each MB it is given. */
const AVAILABLE_MB_PER_GUEST_MB = 1 - 64 / 4096;
/** harness/backends/qemu/guest/workload.c: fills MemAvailable less max(8 MB, MemAvailable / 32). */
const WORKLOAD_MARGIN_MIN_MB = 8;
const WORKLOAD_MARGIN_DIVISOR = 32;
/** QEMU's buffer_is_zero reads each page once: half the memory traffic of a copy. */
const ZERO_CHECK_COPIES_PER_BYTE = 0.5;
/** Source QEMU writes each page into its socket; the destination reads it into its buffer and copies it into guest RAM. */
const QEMU_COPIES_PER_BYTE = 3;
/** ssh reads its unix socket and writes TCP; sshd reads TCP and writes the destination QEMU's socket. */
const SSH_COPIES_PER_BYTE = 4;

// ---- derived host values --------------------------------------------------------------

const mbps = (bytesPerS: number) => (bytesPerS * 8) / 1e6;

/** The cipher OpenSSH uses here: its default, chacha20-poly1305 (transport.ts sets no Ciphers); openssl speed where measured. */
function sshCipherBytesPerS(profile: HostProfile): number {
  const { openssl } = profile.cipher;
  return openssl.status === 'measured' ? openssl.rates['chacha20-poly1305'].mean : profile.cipher.node['chacha20-poly1305'].mean;
}

/** The link stage each pre-copy system's path crosses (the same stage list in both profiles). */
function linkStageOf(system: PrecopySystem): (typeof LINK_STAGES)[number] {
  const stage = PAPER_PARAMETERS.precopyPaths[system].stages.find((candidate) => candidate !== 'sshCipher');
  if (stage === undefined || !(LINK_STAGES as readonly string[]).includes(stage)) throw new Error(`no link stage on the ${system} path`);
  return stage as (typeof LINK_STAGES)[number];
}

/** Each link stage's TCP payload rate on the testbed: the calibration's transfer over the link of the systems crossing it. */
function linkStageMbps(testbed: MeasuredTestbed): Record<(typeof LINK_STAGES)[number], number> {
  const rates = {} as Record<(typeof LINK_STAGES)[number], number>;
  for (const system of PRECOPY_SYSTEMS) {
    const stage = linkStageOf(system);
    const payload = mbps(linkAt(testbed, LINK_PROFILES[system].rateMbitPerS).payloadBytesPerS.mean);
    if (rates[stage] !== undefined && rates[stage] !== payload) {
      throw new Error(`systems crossing ${stage} have different link rates in LINK_PROFILES`);
    }
    rates[stage] = payload;
  }
  return rates;
}

/** Interface bytes (out and in) per stream byte on a system's link, as measured, with SSH framing where the stream is tunnelled. */
function wireFactor(testbed: MeasuredTestbed, system: SystemName): number {
  const link = linkAt(testbed, LINK_PROFILES[system].rateMbitPerS);
  const perPayloadByte = link.txPerPayloadByte.mean + link.rxPerPayloadByte.mean;
  return LINK_PROFILES[system].transport === 'ssh' ? perPayloadByte * SSH_FRAMING : perPayloadByte;
}

/** Guest pages that held data at the calibration size: ram.normal less the pages an idle guest had to re-send. */
function referenceDataPages(testbed: MeasuredTestbed): number {
  const run = testbed.precopyUnshaped;
  const guestPages = run.memoryMb * 256;
  const sent = run.normalPages.mean + run.zeroPages.mean;
  const resent = Math.max(0, sent - guestPages - testbed.zeroCopy.pagesSent.mean);
  return Math.round(run.normalPages.mean - resent);
}

function perSystem<T>(value: (system: PrecopySystem) => T): Record<PrecopySystem, T> {
  return Object.fromEntries(PRECOPY_SYSTEMS.map((system) => [system, value(system)])) as Record<PrecopySystem, T>;
}

function withPaths(parameters: SimParameters, change: (system: PrecopySystem) => Partial<SimParameters['precopyPaths'][PrecopySystem]>): SimParameters {
  return {
    ...parameters,
    precopyPaths: perSystem((system) => ({ ...parameters.precopyPaths[system], ...change(system) })),
  };
}

const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'none');
const perSystemText = (format: (value: number) => string) => (values: Readonly<Record<string, number>>) =>
  Object.entries(values)
    .map(([system, value]) => `${system} ${format(value)}`)
    .join(', ');
const ms = (seconds: number) => (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1);

// ---- the list ---------------------------------------------------------------------------

const QEMU_72 = 'QEMU 7.2 migration/ram.c and migration.c (the testbed runs QEMU 7.2)';

export const PROFILE_DIFFERENCES: readonly ProfileDifference[] = [
  difference({
    id: 'skip-redirtied',
    what: 'pages dirtied again within a pass are skipped',
    unit: 'yes/no',
    paperSource: "Xen 4.2.2 xc_domain_save.c (the `to_skip` peek before each batch)",
    hostSource: `${QEMU_72}: a page is sent once per pass from the migration bitmap, with no peek (docs/qemu-testbed.md: not emulated)`,
    paths: ['policy.skipRedirtied'],
    paper: (p) => p.policy.skipRedirtied,
    host: () => false,
    apply: (p, skipRedirtied) => ({ ...p, policy: { ...p.policy, skipRedirtied } }),
    format: (value) => (value ? 'yes' : 'no'),
  }),
  difference({
    id: 'convergence',
    what: 'live passes end when: few pages were sent (paper) / what is dirty after a bitmap sync fits the downtime limit at the stream rate (host)',
    unit: 'pages / ms',
    paperSource: 'Xen 4.2.2 DEF_MIN_REMAINING: fewer than 50 pages sent+skipped',
    hostSource:
      'QEMU 7.2 migration_iteration_run (pending < bandwidth x downtime-limit) with the downtime-limit the qemu backend sets (qemu/policy.ts migrationParameters: policy xen = the time 50 pages take on the link; policy qemu = QEMU\'s default, 300 ms)',
    paths: ['policy.minRemainingPages', 'precopyPaths.*.downtimeLimitS'],
    paper: (p) => ({ minRemainingPages: p.policy.minRemainingPages, downtimeLimitS: undefined as Record<PrecopySystem, number> | undefined }),
    host: ({ policy }) => ({
      minRemainingPages: 0,
      downtimeLimitS: perSystem(
        (system) => migrationParameters(policy, linkRateBytesPerS(LINK_PROFILES[system]))['downtime-limit'] / 1000,
      ) as Record<PrecopySystem, number> | undefined,
    }),
    apply: (p, value) => {
      const limits = value.downtimeLimitS;
      const withLimits = limits === undefined ? p : withPaths(p, (system) => ({ downtimeLimitS: limits[system] }));
      return { ...withLimits, policy: { ...withLimits.policy, minRemainingPages: value.minRemainingPages } };
    },
    format: (value) =>
      value.downtimeLimitS === undefined
        ? `< ${value.minRemainingPages} pages`
        : `dirty < rate x limit: ${perSystemText((s) => `${ms(s)} ms`)(value.downtimeLimitS)}`,
  }),
  difference({
    id: 'caps',
    what: 'forced final pass: after this many live passes, or once this many times the guest was sent',
    unit: 'passes, x guest',
    paperSource: 'Xen 4.2.2 DEF_MAX_ITERS 29, DEF_MAX_FACTOR 3 (pages sent)',
    hostSource:
      "the qemu backend's --policy: xen = qemu/policy.ts xenPolicyDecision (29 live passes, 3 x the guest's bytes in ram.transferred); qemu = QEMU's own policy, no cap",
    paths: ['policy.maxIterations', 'policy.maxSentFactor', 'policy.sentFactorCounts'],
    paper: (p) => ({ maxIterations: p.policy.maxIterations, maxSentFactor: p.policy.maxSentFactor, counts: p.policy.sentFactorCounts }),
    host: ({ policy }) =>
      policy === 'xen'
        ? { maxIterations: XEN_MAX_ITERS, maxSentFactor: XEN_MAX_FACTOR, counts: 'stream-bytes' as const }
        : { maxIterations: Number.POSITIVE_INFINITY, maxSentFactor: Number.POSITIVE_INFINITY, counts: 'stream-bytes' as const },
    apply: (p, value) => ({
      ...p,
      policy: { ...p.policy, maxIterations: value.maxIterations, maxSentFactor: value.maxSentFactor, sentFactorCounts: value.counts },
    }),
    format: (value) => `${fixed(0)(value.maxIterations)} passes, ${fixed(0)(value.maxSentFactor)} x (${value.counts})`,
  }),
  difference({
    id: 'timeout',
    what: 'a migration still running after this long is cancelled and fails',
    unit: 's',
    paperSource: "none: Xen 4.2.2's caps always end the loop",
    hostSource: "the qemu backend's --timeout (QEMU's downtime-limit rule alone may never converge)",
    paths: ['policy.timeoutS'],
    paper: (p) => p.policy.timeoutS ?? Number.POSITIVE_INFINITY,
    host: ({ timeoutS }) => timeoutS,
    apply: (p, timeoutS) => ({ ...p, policy: { ...p.policy, timeoutS } }),
    format: fixed(0),
  }),
  difference({
    id: 'composition',
    what: "how a path's stages share the work",
    unit: '',
    paperSource: "brief §3: the sending guest Dom0 has one vCPU; encryption and the NIC trap run one after another (times per byte add)",
    hostSource: 'docs/qemu-testbed.md: QEMU, ssh and sshd are processes of their own, joined by sockets (the slowest stage sets the rate)',
    paths: ['pathComposition'],
    paper: (p) => p.pathComposition,
    host: () => 'pipelined' as const,
    apply: (p, pathComposition) => ({ ...p, pathComposition }),
    format: (value) => value,
  }),
  difference({
    id: 'ssh-cipher',
    what: 'SSH encryption rate (stage sshCipher)',
    unit: 'Mbit/s',
    paperSource: 'calibration (fit) of aes128-ctr in a nested guest Dom0 to Figs. 2(a) and 3',
    hostSource:
      'host profile: chacha20-poly1305 (OpenSSH 9.2\'s default; the tunnel sets no cipher), openssl speed at 16 KiB blocks, else node:crypto',
    paths: ['stageThroughputMbps.sshCipher'],
    paper: (p) => p.stageThroughputMbps.sshCipher,
    host: ({ profile }) => mbps(sshCipherBytesPerS(profile)),
    apply: (p, sshCipher) => ({ ...p, stageThroughputMbps: { ...p.stageThroughputMbps, sshCipher } }),
    format: fixed(0),
  }),
  difference({
    id: 'links',
    what: 'virtual NIC / link rates, as TCP payload (stages emulatedNic, blanketIpc, gigabitEthernet)',
    unit: 'Mbit/s',
    paperSource: 'calibration (fit) of the emulated NIC and the Blanket grant copies; gigabit Ethernet public',
    hostSource: "host profile: bulk TCP payload over a veth pair shaped by tbf at the rate qemu/links.ts LINK_PROFILES gives the systems crossing the stage",
    paths: LINK_STAGES.map((stage) => `stageThroughputMbps.${stage}`),
    paper: (p) => Object.fromEntries(LINK_STAGES.map((stage) => [stage, p.stageThroughputMbps[stage]])),
    host: ({ testbed }) => linkStageMbps(testbed),
    apply: (p, rates) => ({ ...p, stageThroughputMbps: { ...p.stageThroughputMbps, ...rates } }),
    format: perSystemText(fixed(1)),
  }),
  difference({
    id: 'framing',
    what: 'bytes counted on the interface per byte of migration stream',
    unit: 'B/B',
    paperSource: 'public: SSH over TCP over Ethernet, data frames (the paper counts the guest Dom0\'s sent bytes)',
    hostSource:
      "host profile: rx + tx of the source's veth (what the qemu backend counts) per payload byte in the bulk TCP transfer at the system's link rate (offloaded segments, ACKs), and OpenSSH's framing (about 40 B per 32 KiB) only where the stream is tunnelled",
    paths: ['precopyPaths.*.wireBytesPerStreamByte', 'zeroCopy.controlWireBytesPerStreamByte'],
    paper: (p) => ({ ...perSystem((system) => p.precopyPaths[system].wireBytesPerStreamByte), vmbeam: p.zeroCopy.controlWireBytesPerStreamByte }),
    host: ({ testbed }) => ({ ...perSystem((system) => wireFactor(testbed, system)), vmbeam: wireFactor(testbed, 'vmbeam') }),
    apply: (p, factors) => ({
      ...withPaths(p, (system) => ({ wireBytesPerStreamByte: factors[system] })),
      zeroCopy: { ...p.zeroCopy, controlWireBytesPerStreamByte: factors.vmbeam },
    }),
    format: perSystemText(fixed(4)),
  }),
  difference({
    id: 'batch-header',
    what: 'stream bytes per batch of pages',
    unit: 'B',
    paperSource: 'Xen 4.2.2: each batch starts with its page count (an unsigned int)',
    hostSource: `${QEMU_72}: pages are not batched on the stream; each carries its own 8-byte header`,
    paths: ['batchHeaderBytes'],
    paper: (p) => p.batchHeaderBytes,
    host: () => 0,
    apply: (p, batchHeaderBytes) => ({ ...p, batchHeaderBytes }),
    format: fixed(0),
  }),
  difference({
    id: 'guest-memory',
    what: "what the guest's memory holds; zero pages go out as short records",
    unit: 'pages, B',
    paperSource: 'brief: long-running guests (every page holds data); Xen 4.2.2 sends every page in full',
    hostSource:
      "host profile: data pages of the idle 128 MB guest (ram.normal less pages re-sent) and its MemAvailable; guest/workload.c's fill rule (MemAvailable less max(8 MB, MemAvailable/32)); Linux's 64-byte struct page per 4 KiB; QEMU 7.2's 9-byte zero-page record",
    paths: ['guestMemory'],
    paper: (p) => p.guestMemory,
    host: ({ testbed }): GuestMemory => ({
      kind: 'filled',
      referenceMemoryMb: testbed.precopyUnshaped.memoryMb,
      referenceDataPages: referenceDataPages(testbed),
      referenceAvailableMb: testbed.precopyUnshaped.guest.availableMb.mean,
      availableMbPerGuestMb: AVAILABLE_MB_PER_GUEST_MB,
      marginMinMb: WORKLOAD_MARGIN_MIN_MB,
      marginDivisor: WORKLOAD_MARGIN_DIVISOR,
      zeroPageBytes: QEMU_ZERO_PAGE_BYTES,
    }),
    apply: (p, guestMemory) => ({ ...p, guestMemory }),
    format: (guest) =>
      guest.kind === 'all-data'
        ? 'every page data, sent in full'
        : `${guest.referenceDataPages} data pages at ${guest.referenceMemoryMb} MB (MemAvailable ${guest.referenceAvailableMb.toFixed(0)} MB), + the workload's fill per MB; zero page ${guest.zeroPageBytes} B`,
  }),
  difference({
    id: 'setup',
    what: 'from the migrate command to the first page (pre-copy and zero-copy)',
    unit: 's',
    paperSource: "calibration (fit): xl migrate's SSH session and target domain (pre-copy 1.7 s; VMBeam 4.43 s)",
    hostSource: 'host profile: zero-copy run, migrate to STOP (resumed-after less guest downtime)',
    paths: ['precopySetupS', 'zeroCopy.setupS'],
    paper: (p) => ({ precopy: p.precopySetupS, zeroCopy: p.zeroCopy.setupS }),
    host: ({ testbed }) => {
      const setupS = Math.max(0, testbed.zeroCopy.migrationS.mean - testbed.zeroCopy.downtimeS.mean);
      return { precopy: setupS, zeroCopy: setupS };
    },
    apply: (p, value) => ({ ...p, precopySetupS: value.precopy, zeroCopy: { ...p.zeroCopy, setupS: value.zeroCopy } }),
    format: (value) => `pre-copy ${value.precopy.toFixed(3)}, zero-copy ${value.zeroCopy.toFixed(3)}`,
  }),
  difference({
    id: 'final-stage',
    what: 'final stage after the last page: device state and resuming at the destination',
    unit: 's',
    paperSource: 'calibration (Fig. 2b): per system, from VMBeam 0.6 s and the stated excesses',
    hostSource: 'host profile: zero-copy run, guest downtime (source STOP to destination RESUME), the same for every system',
    paths: ['precopyPaths.*.finalStageS', 'zeroCopy.finalStageS'],
    paper: (p) => ({ ...perSystem((system) => p.precopyPaths[system].finalStageS), vmbeam: p.zeroCopy.finalStageS }),
    host: ({ testbed }) => ({ ...perSystem(() => testbed.zeroCopy.downtimeS.mean), vmbeam: testbed.zeroCopy.downtimeS.mean }),
    apply: (p, stages) => ({
      ...withPaths(p, (system) => ({ finalStageS: stages[system] })),
      zeroCopy: { ...p.zeroCopy, finalStageS: stages.vmbeam },
    }),
    format: perSystemText(fixed(3)),
  }),
  difference({
    id: 'in-flight',
    what: 'stream bytes still queued when the guest stops; they drain at the path rate before it resumes',
    unit: 'B',
    paperSource: "0: the calibrated final stage covers Xen's tail",
    hostSource:
      "ssh: OpenSSH's channel window (2 MiB) plus the unix socket's buffer (Linux net.core.wmem_default); tcp: the tbf queue (rate x latency + bucket, qemu/links.ts tbfQueueBytes). Migration time and downtime end at the destination's RESUME",
    paths: ['precopyPaths.*.inFlightBytesAtStop'],
    paper: (p) => perSystem((system) => p.precopyPaths[system].inFlightBytesAtStop),
    host: () =>
      perSystem((system) =>
        LINK_PROFILES[system].transport === 'ssh'
          ? SSH_CHANNEL_WINDOW_BYTES + UNIX_SOCKET_BUFFER_BYTES
          : tbfQueueBytes(LINK_PROFILES[system].rateMbitPerS),
      ),
    apply: (p, bytes) => withPaths(p, (system) => ({ inFlightBytesAtStop: bytes[system] })),
    format: perSystemText(fixed(0)),
  }),
  difference({
    id: 'zero-copy-pages',
    what: 'zero-copy: cost to share and to release one guest page',
    unit: 's/page',
    paperSource: "calibration (fit) 10.45 µs to share through the nested hypervisors; assumption 0.05 µs to release",
    hostSource: 'docs/qemu-testbed.md: both QEMUs map one shared file (x-ignore-shared); no per-page work',
    paths: ['zeroCopy.sharePerPageS', 'zeroCopy.releasePerPageS'],
    paper: (p) => ({ share: p.zeroCopy.sharePerPageS, release: p.zeroCopy.releasePerPageS }),
    host: () => ({ share: 0, release: 0 }),
    apply: (p, value) => ({ ...p, zeroCopy: { ...p.zeroCopy, sharePerPageS: value.share, releasePerPageS: value.release } }),
    format: (value) => `share ${value.share}, release ${value.release}`,
  }),
  difference({
    id: 'control-records',
    what: 'bytes that cross the link besides RAM pages, and the path the zero-copy ones take',
    unit: 'B',
    paperSource: "assumption: xl's setup (4 KiB) and final records (256 KiB), through Xen-Nest's SSH path",
    hostSource:
      "host profile: zero-copy run's link bytes (device state and the non-shared RAM blocks) less framing, sent at the end; vmbeam's link is plain TCP (LINK_PROFILES)",
    paths: ['setupRecordBytes', 'finalStateBytes', 'zeroCopy.controlStages'],
    paper: (p) => ({ setup: p.setupRecordBytes, final: p.finalStateBytes, stages: p.zeroCopy.controlStages }),
    host: ({ testbed }) => ({
      setup: 0,
      final: Math.round(testbed.zeroCopy.networkBytes.mean / wireFactor(testbed, 'vmbeam')),
      stages: LINK_PROFILES.vmbeam.transport === 'ssh' ? PAPER_PARAMETERS.precopyPaths['xen-nest'].stages : (['emulatedNic'] as const),
    }),
    apply: (p, value) => ({
      ...p,
      setupRecordBytes: value.setup,
      finalStateBytes: value.final,
      zeroCopy: { ...p.zeroCopy, controlStages: value.stages },
    }),
    format: (value) => `setup ${value.setup}, final ${value.final}, via ${value.stages.join(' + ')}`,
  }),
  difference({
    id: 'non-guest-ram',
    what: "pages of RAM outside the guest's memory that every migration sends (zero-copy too)",
    unit: 'pages',
    paperSource: 'brief §2: VMBeam relocates every page; Xen sends only the guest\'s',
    hostSource:
      "host profile: zero-copy run's ram.normal + ram.duplicate (QEMU migrates its firmware and option-ROM blocks, which are not in the shared file)",
    paths: ['nonGuestRamPages'],
    paper: (p) => p.nonGuestRamPages,
    host: ({ testbed }) => Math.round(testbed.zeroCopy.pagesSent.mean),
    apply: (p, nonGuestRamPages) => ({ ...p, nonGuestRamPages }),
    format: fixed(0),
  }),
  difference({
    id: 'guest-p2m',
    what: "frames the sender walks and counts beyond the guest's pages (R4: an HVM guest's p2m up to its special pages)",
    unit: 'kind',
    paperSource: "Xen 4.2.2 p2m_size = xc_domain_maximum_gpfn() + 1; Xen-Nest's guest taken as HVM on the paper's Fig. 6 text (docs/model.md §10, R4)",
    hostSource: 'QEMU 7.2 sends its RAM blocks only: no frames beyond the guest',
    paths: ['guestP2m.*'],
    paper: (p) => perSystem((system) => p.guestP2m[system]),
    host: () => perSystem((): GuestP2m => 'guest-pages'),
    apply: (p, guestP2m) => ({ ...p, guestP2m }),
    format: (value) => Object.entries(value).map(([system, kind]) => `${system} ${kind}`).join(', '),
  }),
  difference({
    id: 'iterations',
    what: 'bitmap syncs counted before pass 1 (reported iterations = passes + these)',
    unit: 'syncs',
    paperSource: 'Xen 4.2.2 counts its passes',
    hostSource: "QEMU 7.2's ram.dirty-sync-count also counts the sync in ram_init_bitmaps at setup",
    paths: ['initialBitmapSyncs'],
    paper: (p) => p.initialBitmapSyncs,
    host: () => 1,
    apply: (p, initialBitmapSyncs) => ({ ...p, initialBitmapSyncs }),
    format: fixed(0),
  }),
  difference({
    id: 'memory-copy',
    what: 'memory copy rate for CPU accounting',
    unit: 'GB/s',
    paperSource: 'assumption: 2 GiB/s in a nested Dom0',
    hostSource: 'host profile: 4 KiB page copies (tinybench)',
    paths: ['memoryCopyBytesPerS'],
    paper: (p) => p.memoryCopyBytesPerS,
    host: ({ profile }) => profile.memoryCopy.page4KiB.mean,
    apply: (p, memoryCopyBytesPerS) => ({ ...p, memoryCopyBytesPerS }),
    format: (value) => (value / 1e9).toFixed(2),
  }),
  difference({
    id: 'copies',
    what: 'memory copies per stream byte: at both ends, and in each stage',
    unit: 'copies/B',
    paperSource: 'brief §5 copy paths: migration client and server 1 each; Blanket back-end 2',
    hostSource: 'QEMU 7.2: source writes each page to its socket, destination reads it and copies it into guest RAM (3); ssh and sshd read and write once each (4 on sshCipher)',
    paths: ['clientServerCopiesPerByte', 'stageCopiesPerByte.*'],
    paper: (p) => ({ ends: p.clientServerCopiesPerByte, ...p.stageCopiesPerByte }),
    host: () => ({ ends: QEMU_COPIES_PER_BYTE, sshCipher: SSH_COPIES_PER_BYTE, emulatedNic: 0, blanketIpc: 0, gigabitEthernet: 0 }),
    apply: (p, value) => {
      const { ends, ...stages } = value;
      return { ...p, clientServerCopiesPerByte: ends, stageCopiesPerByte: stages };
    },
    format: perSystemText(fixed(0)),
  }),
  difference({
    id: 'stage-cpu',
    what: "CPU a stage costs per byte, in multiples of its time per byte (who runs it)",
    unit: 'x',
    paperSource: "assumption: SSH encrypts and decrypts (2, cloud VMs); the emulated NIC's QEMUs in the cloud Dom0 (2); Blanket front-ends (2)",
    hostSource: 'ssh encrypts, sshd decrypts (2); a tbf-shaped veth only delays packets (0: its kernel work is not modelled)',
    paths: ['stageCpuShares.*.cloudVms', 'stageCpuShares.*.cloudDom0'],
    paper: (p) => Object.fromEntries(Object.entries(p.stageCpuShares).map(([stage, shares]) => [stage, shares.cloudVms + shares.cloudDom0])),
    host: () => ({ sshCipher: 2, emulatedNic: 0, blanketIpc: 0, gigabitEthernet: 0 }),
    apply: (p, shares) => ({
      ...p,
      stageCpuShares: {
        sshCipher: { cloudVms: shares['sshCipher']!, cloudDom0: 0 },
        emulatedNic: { cloudVms: shares['emulatedNic']!, cloudDom0: 0 },
        blanketIpc: { cloudVms: shares['blanketIpc']!, cloudDom0: 0 },
        gigabitEthernet: { cloudVms: shares['gigabitEthernet']!, cloudDom0: 0 },
      },
    }),
    format: perSystemText(fixed(0)),
  }),
  difference({
    id: 'zero-check',
    what: 'CPU looking for zero pages, per guest byte in pass 1',
    unit: 'copies/B',
    paperSource: 'Xen 4.2.2 does not look for zero pages',
    hostSource: "QEMU 7.2's buffer_is_zero reads every page once (half a copy's memory traffic)",
    paths: ['zeroCheckCopiesPerByte'],
    paper: (p) => p.zeroCheckCopiesPerByte,
    host: () => ZERO_CHECK_COPIES_PER_BYTE,
    apply: (p, zeroCheckCopiesPerByte) => ({ ...p, zeroCheckCopiesPerByte }),
    format: fixed(1),
  }),
  difference({
    id: 'fixed-cpu',
    what: 'CPU every migration costs whatever its size (device state saved and loaded, QMP)',
    unit: 's',
    paperSource: 'assumption: setup and final stage counted as idle',
    hostSource: "host profile: zero-copy run's CPU time (both QEMUs)",
    paths: ['fixedCpuS'],
    paper: (p) => p.fixedCpuS,
    host: ({ testbed }) => testbed.zeroCopy.cpuS.mean,
    apply: (p, fixedCpuS) => ({ ...p, fixedCpuS }),
    format: fixed(3),
  }),
  difference({
    id: 'running-guest-cpu',
    what: 'CPU the source spends keeping the guest running while the live passes run (its vCPU, QEMU\'s main loop)',
    unit: 'CPU-s/s',
    paperSource: "assumption: Fig. 4 counts the migration's CPU, not the guest's own",
    hostSource:
      "host profile: the destination QEMU running the idle, filled 128 MB guest for 2 s after each zero-copy calibration run (the qemu backend counts both QEMUs' CPU, the guest's vCPU thread included)",
    paths: ['runningGuestCpuSPerS'],
    paper: (p) => p.runningGuestCpuSPerS,
    host: ({ testbed }) => testbed.runningGuestCpuPerS.mean,
    apply: (p, runningGuestCpuSPerS) => ({ ...p, runningGuestCpuSPerS }),
    format: fixed(4),
  }),
  difference({
    id: 'unattributed-cpu',
    what: "CPU per stream byte beyond the path's copies and cipher (the kernel's TCP/IP and socket work; QEMU, ssh and sshd beyond their copies and cipher)",
    unit: 'ns/B',
    paperSource: 'assumption: the per-stage CPU shares account for the whole path',
    hostSource:
      "host profile: the unshaped pre-copy calibration run's CPU time less what the rest of this profile counts for that run (copies, cipher, zero check, fixed cost, running guest), per byte of its stream; on an unshaped link, so whatever tbf's pacing adds is not in it",
    paths: ['unattributedCpuSPerStreamByte'],
    paper: (p) => p.unattributedCpuSPerStreamByte,
    host: (inputs) => unattributedCpuPerStreamByte(inputs),
    apply: (p, unattributedCpuSPerStreamByte) => ({ ...p, unattributedCpuSPerStreamByte }),
    format: (value) => (value * 1e9).toFixed(2),
  }),
];

/**
 * What the unshaped pre-copy calibration run cost in CPU beyond what every
 * other entry of this profile counts for that same run, per stream byte
 * (0 if the rest already counts more).
 */
function unattributedCpuPerStreamByte(inputs: HostInputs): number {
  const parameters = PROFILE_DIFFERENCES.filter((entry) => entry.id !== 'unattributed-cpu').reduce(
    (applied, entry) => entry.apply(applied, inputs),
    PAPER_PARAMETERS,
  );
  const run = inputs.testbed.precopyUnshaped;
  const streamBytes = run.streamBytes.mean;
  const guestBytes = run.memoryMb * 1024 * 1024;
  const counted =
    streamBytes * cpuSecondsPerStreamByte(parameters.precopyPaths[run.system].stages, parameters) +
    (guestBytes * parameters.zeroCheckCopiesPerByte) / parameters.memoryCopyBytesPerS +
    parameters.fixedCpuS +
    run.migrationS.mean * parameters.runningGuestCpuSPerS;
  return Math.max(0, run.cpuS.mean - counted) / streamBytes;
}

/** The paper's parameters with every listed difference applied, and nothing else. */
export function hostParameters(inputs: HostInputs): SimParameters {
  return PROFILE_DIFFERENCES.reduce((parameters, entry) => entry.apply(parameters, inputs), PAPER_PARAMETERS);
}

export interface DifferenceRow {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paper: string;
  readonly host: string;
  readonly paperSource: string;
  readonly hostSource: string;
}

/** Every difference with both values, for run.json and the report. */
export function differenceRows(inputs: HostInputs): DifferenceRow[] {
  return PROFILE_DIFFERENCES.map((entry) => ({
    id: entry.id,
    what: entry.what,
    unit: entry.unit,
    paper: entry.paperValue(PAPER_PARAMETERS),
    host: entry.hostValue(inputs),
    paperSource: entry.paperSource,
    hostSource: entry.hostSource,
  }));
}
