/**
 * The host profile's entries for CPU accounting (Fig. 4): copy rate, copies
 * per byte, who runs each stage, fixed and running-guest costs, and what
 * the calibration run spent beyond all of these.
 */
import { cpuSecondsPerStreamByte } from '../../backends/sim/derived.ts';
import { PAPER_PARAMETERS } from '../../backends/sim/parameters.ts';
import { difference, fixed, perSystemText, type HostInputs, type ProfileDifference } from './difference.ts';
import { QEMU_COPIES_PER_BYTE, SSH_COPIES_PER_BYTE, ZERO_CHECK_COPIES_PER_BYTE } from './host-values.ts';

export const CPU_DIFFERENCES: readonly ProfileDifference[] = [
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
];

/** The last entry: what `others` (every other entry, in order) leave of the calibration run's CPU. */
export function unattributedCpu(others: readonly ProfileDifference[]): ProfileDifference {
  return difference({
    id: 'unattributed-cpu',
    what: "CPU per stream byte beyond the path's copies and cipher (the kernel's TCP/IP and socket work; QEMU, ssh and sshd beyond their copies and cipher)",
    unit: 'ns/B',
    paperSource: 'assumption: the per-stage CPU shares account for the whole path',
    hostSource:
      "host profile: the unshaped pre-copy calibration run's CPU time less what the rest of this profile counts for that run (copies, cipher, zero check, fixed cost, running guest), per byte of its stream; on an unshaped link, so whatever tbf's pacing adds is not in it",
    paths: ['unattributedCpuSPerStreamByte'],
    paper: (p) => p.unattributedCpuSPerStreamByte,
    host: (inputs) => unattributedCpuPerStreamByte(inputs, others),
    apply: (p, unattributedCpuSPerStreamByte) => ({ ...p, unattributedCpuSPerStreamByte }),
    format: (value) => (value * 1e9).toFixed(2),
  });
}

/**
 * What the unshaped pre-copy calibration run cost in CPU beyond what every
 * other entry of this profile counts for that same run, per stream byte
 * (0 if the rest already counts more).
 */
function unattributedCpuPerStreamByte(inputs: HostInputs, others: readonly ProfileDifference[]): number {
  const parameters = others.reduce((applied, entry) => entry.apply(applied, inputs), PAPER_PARAMETERS);
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
