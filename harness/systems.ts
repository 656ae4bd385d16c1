/** The systems compared in the paper (brief section 3). */
export const PAPER_SYSTEMS = [
  'vmbeam',
  'xen-nest',
  'xen-blanket',
  'xen-nest-nocipher',
  'xen-blanket-nocipher',
  'physical',
] as const;

export type PaperSystemName = (typeof PAPER_SYSTEMS)[number];

/**
 * Beyond the paper (experiments/alternatives.ts): QEMU's own pre-copy and
 * the schemes it ships, each on the Xen-Nest link, and `auto`, which picks
 * zero-copy or one of them by itself.
 */
export const ALTERNATIVE_SYSTEMS = [
  'precopy-qemu',
  'auto-converge',
  'xbzrle',
  'multifd',
  'postcopy',
  'auto',
] as const;

export const SYSTEMS = [...PAPER_SYSTEMS, ...ALTERNATIVE_SYSTEMS] as const;
export type SystemName = (typeof SYSTEMS)[number];

/**
 * The paper system whose link and copy path a system's migration crosses:
 * QEMU's schemes run on the Xen-Nest link (brief §6 asks how they stand
 * against zero-copy there), `auto` too until it has chosen.
 */
export function carrierOf(system: SystemName): PaperSystemName {
  return isPaperSystem(system) ? system : 'xen-nest';
}

/** Chart labels, in the paper's spelling. */
export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  vmbeam: 'VMBeam',
  'xen-nest': 'Xen-Nest',
  'xen-blanket': 'Xen-Blanket',
  'xen-nest-nocipher': 'Xen-Nest (none cipher)',
  'xen-blanket-nocipher': 'Xen-Blanket (none cipher)',
  physical: 'Physical hosts',
  'precopy-qemu': 'Pre-copy (QEMU)',
  'auto-converge': 'Auto-converge',
  xbzrle: 'XBZRLE',
  multifd: 'Multifd',
  postcopy: 'Post-copy',
  auto: 'Auto',
};

export function isPaperSystem(value: string): value is PaperSystemName {
  return (PAPER_SYSTEMS as readonly string[]).includes(value);
}

export function isSystemName(value: string): value is SystemName {
  return (SYSTEMS as readonly string[]).includes(value);
}
