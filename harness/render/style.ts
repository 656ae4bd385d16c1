import { SYSTEMS, SYSTEM_LABELS, type SystemName } from '../systems.ts';

/** The font is shipped with the project (dejavu-fonts-ttf) so PNGs do not depend on the machine's fonts. */
export const FONT_FAMILY = 'DejaVu Sans';

export const CHART_WIDTH_PX = 560;
export const CHART_HEIGHT_PX = 340;

/** One colour per system, the same in every figure. */
const SYSTEM_COLORS: Readonly<Record<SystemName, string>> = {
  vmbeam: '#d62728',
  'xen-nest': '#1f77b4',
  'xen-blanket': '#2ca02c',
  'xen-nest-nocipher': '#9ecae1',
  'xen-blanket-nocipher': '#98df8a',
  physical: '#7f7f7f',
};

/** A colour encoding over the `label` field that keeps the paper's order and colours. */
export function systemColor(present: readonly SystemName[]) {
  const systems = SYSTEMS.filter((system) => present.includes(system));
  return {
    field: 'label',
    type: 'nominal' as const,
    title: 'System',
    sort: systems.map((system) => SYSTEM_LABELS[system]),
    scale: {
      domain: systems.map((system) => SYSTEM_LABELS[system]),
      range: systems.map((system) => SYSTEM_COLORS[system]),
    },
    legend: { orient: 'right' as const },
  };
}

export const CHART_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, anchor: 'start' as const, offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, symbolStrokeWidth: 2, labelLimit: 320 },
  view: { stroke: '#888' },
};
