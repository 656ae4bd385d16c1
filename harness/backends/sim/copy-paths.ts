/**
 * Fig. 5's estimate of memory access (a validation figure): each system's
 * copy path, copy by copy, as the public source of the paper's software
 * does it (revision R2, docs/model.md §10). The paper estimated memory
 * access "from the number of transferred pages and each system's copy
 * path" as a multiple of the transferred memory; a copy passes the
 * transferred bytes through memory once, so the multiple is the number of
 * copies. (Counting its read and its write apart would double every
 * multiple; the paper's own Xen-Nest minus Xen-Blanket difference of 2 is
 * the 2 copies the emulated NIC makes beyond Blanket's only when a copy
 * counts once.)
 */
import type { PaperSystemName } from '../../systems.ts';

export interface CopyStage {
  readonly what: string;
  /** Where the copy is in public source (version as on the paper's testbed, brief §3). */
  readonly source: string;
  /** Copies of every transferred byte this stage makes. */
  readonly copies: number;
}

const XEN = 'Xen 4.2.2 tools/libxc';
const SSH = 'OpenSSH 6.0p1';

/** The source guest Dom0: xl's save writes into its pipe to ssh, ssh packs, encrypts and sends. */
const SOURCE_SIDE: readonly CopyStage[] = [
  { what: 'the save writes each batch from its mapping of guest memory into the pipe to ssh', source: `${XEN}/xc_domain_save.c: wruncached -> write_uncached -> noncached_write (live passes write straight from region_base)`, copies: 1 },
  { what: 'ssh reads the pipe into a stack buffer', source: `${SSH} channels.c channel_handle_rfd: read(c->rfd, buf, sizeof(buf))`, copies: 1 },
  { what: "ssh appends it to the channel's input buffer", source: `${SSH} channels.c channel_handle_rfd: buffer_append(&c->input, buf, len)`, copies: 1 },
  { what: 'ssh puts it into the outgoing packet', source: `${SSH} channels.c channel_output_poll: packet_put_string(buffer_ptr(&c->input), len)`, copies: 1 },
  { what: 'ssh encrypts the packet into its output buffer', source: `${SSH} packet.c packet_send2_wrapped: cipher_crypt(..., buffer_append_space(&output), buffer_ptr(&outgoing_packet))`, copies: 1 },
  { what: 'ssh writes the output buffer into socket buffers', source: `${SSH} packet.c packet_write_poll: write(connection_out, ...)`, copies: 1 },
];

/** The destination guest Dom0: sshd receives, decrypts, hands over; xl's restore reads and copies into the new guest. */
const DESTINATION_SIDE: readonly CopyStage[] = [
  { what: 'sshd reads socket buffers into a stack buffer', source: `${SSH} serverloop.c process_input: read(connection_in, buf, sizeof(buf))`, copies: 1 },
  { what: "sshd appends it to the packet layer's input buffer", source: `${SSH} packet.c packet_process_incoming: buffer_append(&input, buf, len)`, copies: 1 },
  { what: 'sshd decrypts into the incoming packet', source: `${SSH} packet.c packet_read_poll2: cipher_crypt(..., buffer_append_space(&incoming_packet), buffer_ptr(&input))`, copies: 1 },
  { what: "sshd appends the data to the channel's output buffer", source: `${SSH} channels.c channel_input_data: buffer_append(&c->output, data, data_len)`, copies: 1 },
  { what: 'sshd writes the channel buffer into the pipe to xl migrate-receive', source: `${SSH} channels.c channel_handle_wfd: write(c->wfd, ...)`, copies: 1 },
  { what: "the restore reads the pipe into its page buffer", source: `${XEN}/xc_domain_restore.c pagebuf_get_one: RDEXACT(fd, buf->pages + ...)`, copies: 1 },
  { what: "the restore copies each page into the new guest's memory", source: `${XEN}/xc_domain_restore.c apply_batch: memcpy(page, pagebuf->pages + ...)`, copies: 1 },
];

/** QEMU's emulated e1000 in the cloud Dom0, at each end of the cloud Dom0's bridge (which moves skbs without copying). */
const EMULATED_NIC: readonly CopyStage[] = [
  { what: "the source cloud VM's QEMU reads the transmit buffer out of the cloud VM's memory", source: 'QEMU hw/e1000.c process_tx_desc: pci_dma_read(..., tp->data + tp->size, bytes) (cpu_physical_memory_read in older QEMU)', copies: 1 },
  { what: 'it writes the frame to its tap device', source: 'QEMU net/tap.c tap_receive -> tap_write_packet: writev(s->fd, ...)', copies: 1 },
  { what: "the destination cloud VM's QEMU reads the frame from its tap device", source: 'QEMU net/tap.c tap_send: tap_read_packet(s->fd, s->buf, ...)', copies: 1 },
  { what: "it writes the frame into the destination cloud VM's receive buffer", source: 'QEMU hw/e1000.c e1000_receive: pci_dma_write(..., buffer_addr, buf, copy_size)', copies: 1 },
];

/** Blanket's paravirtual path: netfront grants its pages, netback in the cloud Dom0 grant-copies. */
const BLANKET_NIC: readonly CopyStage[] = [
  { what: "netback grant-copies the source's granted transmit pages into a cloud Dom0 skb", source: 'Linux 3.2 drivers/net/xen-netback/netback.c xen_netbk_tx_build_gops: GNTTABOP_copy', copies: 1 },
  { what: "netback grant-copies the skb into the destination's posted receive pages", source: 'Linux 3.2 drivers/net/xen-netback/netback.c netbk_gop_frag_copy: GNTTABOP_copy', copies: 1 },
];

/** A physical NIC moves bytes by DMA from and into socket buffers, without a CPU copy. */
const PHYSICAL_LINK: readonly CopyStage[] = [];

/**
 * With the none cipher OpenSSH still runs cipher_crypt, and OpenSSL's null
 * cipher copies its input to its output (crypto/evp/e_null.c null_cipher:
 * `if (in != out) memcpy(out, in, inl)`), so the path keeps its copies.
 */
export const COPY_PATHS: Readonly<Record<PaperSystemName, readonly CopyStage[]>> = {
  /** The cloud hypervisor relocates pages: no page contents are read or written. */
  vmbeam: [],
  'xen-nest': [...SOURCE_SIDE, ...EMULATED_NIC, ...DESTINATION_SIDE],
  'xen-blanket': [...SOURCE_SIDE, ...BLANKET_NIC, ...DESTINATION_SIDE],
  'xen-nest-nocipher': [...SOURCE_SIDE, ...EMULATED_NIC, ...DESTINATION_SIDE],
  'xen-blanket-nocipher': [...SOURCE_SIDE, ...BLANKET_NIC, ...DESTINATION_SIDE],
  physical: [...SOURCE_SIDE, ...PHYSICAL_LINK, ...DESTINATION_SIDE],
};

/** Memory access per byte transferred along a path, as a multiple: its copies. */
export function accessPerByte(stages: readonly CopyStage[]): number {
  return stages.reduce((sum, stage) => sum + stage.copies, 0);
}
