/** The systems compared in the paper (brief section 3). */
export const SYSTEMS = [
  'vmbeam',
  'xen-nest',
  'xen-blanket',
  'xen-nest-nocipher',
  'xen-blanket-nocipher',
  'physical',
] as const;

export type SystemName = (typeof SYSTEMS)[number];

/** Chart labels, in the paper's spelling. */
export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  vmbeam: 'VMBeam',
  'xen-nest': 'Xen-Nest',
  'xen-blanket': 'Xen-Blanket',
  'xen-nest-nocipher': 'Xen-Nest (none cipher)',
  'xen-blanket-nocipher': 'Xen-Blanket (none cipher)',
  physical: 'Physical hosts',
};

export function isSystemName(value: string): value is SystemName {
  return (SYSTEMS as readonly string[]).includes(value);
}
