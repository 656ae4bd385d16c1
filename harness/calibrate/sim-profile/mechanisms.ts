/**
 * The host profile's entries for what a migration does and how long it
 * takes: stop rules, path rates, bytes on the wire, guest memory, setup
 * and final stage. In the order reports list them.
 */
import { LINK_PROFILES, linkRateBytesPerS, tbfQueueBytes } from '../../backends/qemu/link-profiles.ts';
import { XEN_MAX_FACTOR, XEN_MAX_ITERS, migrationParameters } from '../../backends/qemu/policy.ts';
import { PAPER_PARAMETERS } from '../../backends/sim/parameters.ts';
import type { GuestMemory } from '../../backends/sim/parameter-types.ts';
import type { GuestP2m } from '../../backends/sim/p2m.ts';
import { difference, fixed, ms, perSystem, perSystemText, withPaths, type PrecopySystem, type ProfileDifference } from './difference.ts';
import {
  AVAILABLE_MB_PER_GUEST_MB,
  LINK_STAGES,
  QEMU_ZERO_PAGE_BYTES,
  SSH_CHANNEL_WINDOW_BYTES,
  UNIX_SOCKET_BUFFER_BYTES,
  WORKLOAD_MARGIN_DIVISOR,
  WORKLOAD_MARGIN_MIN_MB,
  linkStageMbps,
  mbps,
  referenceDataPages,
  sshCipherBytesPerS,
  wireFactor,
} from './host-values.ts';

const QEMU_72 = 'QEMU 7.2 migration/ram.c and migration.c (the testbed runs QEMU 7.2)';

export const MECHANISM_DIFFERENCES: readonly ProfileDifference[] = [
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
    hostSource: "host profile: bulk TCP payload over a veth pair shaped by tbf at the rate qemu/link-profiles.ts LINK_PROFILES gives the systems crossing the stage",
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
      "ssh: OpenSSH's channel window (2 MiB) plus the unix socket's buffer (Linux net.core.wmem_default); tcp: the tbf queue (rate x latency + bucket, qemu/link-profiles.ts tbfQueueBytes). Migration time and downtime end at the destination's RESUME",
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
];
