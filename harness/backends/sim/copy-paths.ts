/**
 * Fig. 5's estimate of memory access (a validation figure): each system's
 * copy path as the brief (§5) describes it, stage by stage, with the bytes
 * each stage reads and writes per byte of guest memory transferred. A copy
 * between buffers reads one byte and writes one.
 */
import type { SystemName } from '../../systems.ts';

export interface CopyStage {
  readonly what: string;
  readonly readBytes: number;
  readonly writeBytes: number;
}

const copy = (what: string): CopyStage => ({ what, readBytes: 1, writeBytes: 1 });

const SOURCE_SIDE: readonly CopyStage[] = [
  copy('migration client reads guest memory through its mapping and writes it into the pipe to SSH'),
  copy('SSH client reads the pipe into its buffer'),
  copy('SSH client encrypts the buffer'),
  copy('SSH client writes into socket buffers of the source guest Dom0'),
];

const DESTINATION_SIDE: readonly CopyStage[] = [
  copy('SSH server reads socket buffers of the destination guest Dom0 into its buffer'),
  copy('SSH server decrypts the buffer'),
  copy('SSH server writes into the pipe to the migration server'),
  copy('migration server reads the pipe and writes into the new guest\'s memory'),
];

const PHYSICAL_LINK: readonly CopyStage[] = [
  { what: 'the NIC reads socket buffers by DMA and sends them', readBytes: 1, writeBytes: 0 },
  { what: 'the receiving NIC writes socket buffers by DMA', readBytes: 0, writeBytes: 1 },
];

const EMULATED_NIC: readonly CopyStage[] = [
  copy("QEMU emulating the source cloud VM's NIC reads the packet and writes it to its tap device"),
  copy("the cloud Dom0 hands it to the QEMU of the destination cloud VM, which reads it from its tap device"),
  copy("that QEMU writes it into the destination cloud VM's receive buffer"),
];

const BLANKET_NIC: readonly CopyStage[] = [
  copy("the back-end grant-copies the source's shared pages into the cloud Dom0"),
  copy("the back-end grant-copies them into the destination's shared pages"),
];

export const COPY_PATHS: Readonly<Record<SystemName, readonly CopyStage[]>> = {
  /** The cloud hypervisor relocates pages: no page contents are read or written. */
  vmbeam: [],
  'xen-nest': [...SOURCE_SIDE, ...EMULATED_NIC, ...DESTINATION_SIDE],
  'xen-blanket': [...SOURCE_SIDE, ...BLANKET_NIC, ...DESTINATION_SIDE],
  'xen-nest-nocipher': [...withoutCipher(SOURCE_SIDE), ...EMULATED_NIC, ...withoutCipher(DESTINATION_SIDE)],
  'xen-blanket-nocipher': [...withoutCipher(SOURCE_SIDE), ...BLANKET_NIC, ...withoutCipher(DESTINATION_SIDE)],
  physical: [...SOURCE_SIDE, ...PHYSICAL_LINK, ...DESTINATION_SIDE],
};

function withoutCipher(stages: readonly CopyStage[]): CopyStage[] {
  return stages.filter((stage) => !/crypts/.test(stage.what));
}

/** Bytes of memory read plus written per byte transferred along a path. */
export function accessPerByte(stages: readonly CopyStage[]): number {
  return stages.reduce((sum, stage) => sum + stage.readBytes + stage.writeBytes, 0);
}
