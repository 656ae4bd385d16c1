import type { PaperSystemName } from '../../systems.ts';

/**
 * R4 (docs/model.md §10): which frames Xen 4.2.2's save walks and counts
 * for a system's guest. `p2m_size` is `xc_domain_maximum_gpfn() + 1`
 * (xc_domain_save.c line 943), which for an HVM guest is its highest
 * mapped frame (xen/arch/x86/mm.c domain_get_maximum_gpfn): the special
 * pages libxc puts just below 0xff000 (xc_hvm_build_x86.c special_pfn),
 * or the end of the RAM moved above 4 GiB past the MMIO hole at
 * 0xf0000000 (public/hvm/e820.h HVM_BELOW_4G_RAM_END). A PV guest's is its
 * page count.
 *
 * assumption, on the paper's text: Xen-Nest's guests are HVM guests of the
 * nested Xen 4.2.2. The paper explains Xen-Nest's Fig. 6 peak by "the
 * iterations reached the predefined maximum"; with a PV guest the 3x rule
 * always ends Xen-Nest's loop first at rates above its page rate, so the
 * paper's explanation requires a p2m larger than the guest. Xen-Blanket
 * runs PV guests (its design targets clouds without nested hardware
 * virtualization); the physical reference is left as a PV guest (no
 * grounds either way; idle guests hardly notice).
 */
export type GuestP2m = 'guest-pages' | 'hvm';
export const GUEST_P2M: Readonly<Record<Exclude<PaperSystemName, 'vmbeam'>, GuestP2m>> = {
  'xen-nest': 'hvm',
  'xen-nest-nocipher': 'hvm',
  'xen-blanket': 'guest-pages',
  'xen-blanket-nocipher': 'guest-pages',
  physical: 'guest-pages',
};
/** Xen 4.2.2 HVM guest layout, in 4 KiB frames (sources above). */
export const HVM_LAYOUT_PFN = {
  /** HVM_BELOW_4G_RAM_END 0xf0000000: RAM beyond it moves above 4 GiB. */
  belowFourGiBRamEnd: 0xf0000,
  highRamStart: 0x100000,
  /** special_pfn(x) = 0xff000 - NR_SPECIAL_PAGES + x: the last special page is 0xfefff. */
  specialPagesEnd: 0xff000,
} as const;

/** Frames Xen's save walks and counts for a guest of `guestPages` pages. */
export function p2mFrames(guestPages: number, kind: GuestP2m): number {
  if (kind === 'guest-pages') return guestPages;
  const { belowFourGiBRamEnd, highRamStart, specialPagesEnd } = HVM_LAYOUT_PFN;
  const ramEnd = guestPages <= belowFourGiBRamEnd ? guestPages : highRamStart + (guestPages - belowFourGiBRamEnd);
  return Math.max(ramEnd, specialPagesEnd);
}
