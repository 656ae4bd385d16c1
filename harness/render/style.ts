import { SYSTEMS, SYSTEM_LABELS, type SystemName } from '../systems.ts';

/** The font is shipped with the project (dejavu-fonts-ttf) so PNGs do not depend on the machine's fonts. */
export const FONT_FAMILY = 'DejaVu Sans';

/**
 * Every chart's plot area has this width and its y axis a fixed extent,
 * legends sit below the plot and titles are kept shorter than the plot: so
 * every figure comes out the same total width, and a page showing them at
 * one width shows their text at one size.
 */
export const CHART_WIDTH_PX = 700;
/** A single chart fills CHART_WIDTH_PX whatever its labels stick out by (vega's fit-x); its plot is then about this wide. */
export const PLOT_WIDTH_PX = 600;
export const FIT_WIDTH = { width: CHART_WIDTH_PX, autosize: { type: 'fit-x' as const, contains: 'padding' as const } };
export const PLOT_HEIGHT_PX = 300;
const Y_AXIS_EXTENT_PX = 52;

/** One colour per system, the same in every figure. */
const SYSTEM_COLORS: Readonly<Record<SystemName, string>> = {
  vmbeam: '#d62728',
  'xen-nest': '#1f77b4',
  'xen-blanket': '#2ca02c',
  'xen-nest-nocipher': '#9ecae1',
  'xen-blanket-nocipher': '#98df8a',
  physical: '#7f7f7f',
  // QEMU's schemes (the alternatives chart): Xen-Nest's blue stays pre-copy with Xen's policy.
  'precopy-qemu': '#17becf',
  'auto-converge': '#ff7f0e',
  xbzrle: '#9467bd',
  multifd: '#8c564b',
  postcopy: '#e377c2',
  auto: '#bcbd22',
};

/** Marker shapes and dashes tell apart series that coincide (Xen-Nest and physical hosts in Fig. 2(b), say) and survive greyscale printing. */
const SYSTEM_SHAPES: Readonly<Record<SystemName, string>> = {
  vmbeam: 'circle',
  'xen-nest': 'square',
  'xen-blanket': 'triangle-up',
  'xen-nest-nocipher': 'diamond',
  'xen-blanket-nocipher': 'triangle-down',
  physical: 'cross',
  'precopy-qemu': 'diamond',
  'auto-converge': 'triangle-down',
  xbzrle: 'cross',
  multifd: 'triangle-right',
  postcopy: 'triangle-left',
  auto: 'stroke',
};
const SYSTEM_DASHES: Readonly<Record<SystemName, readonly number[]>> = {
  vmbeam: [1, 0],
  'xen-nest': [1, 0],
  'xen-blanket': [1, 0],
  'xen-nest-nocipher': [6, 3],
  'xen-blanket-nocipher': [6, 3],
  physical: [2, 2],
  'precopy-qemu': [6, 3],
  'auto-converge': [1, 0],
  xbzrle: [1, 0],
  multifd: [6, 3],
  postcopy: [1, 0],
  auto: [2, 2],
};

export function systemHex(system: SystemName): string {
  return SYSTEM_COLORS[system];
}

const present = (systems: readonly SystemName[]) => SYSTEMS.filter((system) => systems.includes(system));

/** A colour encoding over the `label` field that keeps the paper's order and colours. */
export function systemColor(systems: readonly SystemName[]) {
  const shown = present(systems);
  return {
    field: 'label',
    type: 'nominal' as const,
    title: null,
    sort: shown.map((system) => SYSTEM_LABELS[system]),
    scale: { domain: shown.map((system) => SYSTEM_LABELS[system]), range: shown.map((system) => SYSTEM_COLORS[system]) },
  };
}

/** Shape and dash encodings on the same field: vega-lite merges them with the colour into one legend. */
export function systemShapeAndDash(systems: readonly SystemName[]) {
  const shown = present(systems);
  const domain = shown.map((system) => SYSTEM_LABELS[system]);
  return {
    shape: { field: 'label', type: 'nominal' as const, title: null, scale: { domain, range: shown.map((system) => SYSTEM_SHAPES[system]) } },
    strokeDash: { field: 'label', type: 'nominal' as const, title: null, scale: { domain, range: shown.map((system) => [...SYSTEM_DASHES[system]]) } },
  };
}

export const CHART_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, anchor: 'start' as const, offset: 10, subtitleFontSize: 12, subtitleColor: '#444', subtitlePadding: 4 },
  // Labels closer than 4 px are thinned out (log axes otherwise print "1020" for 10 and 20).
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e6e6e6', labelSeparation: 4, labelOverlap: true },
  axisY: { minExtent: Y_AXIS_EXTENT_PX, maxExtent: Y_AXIS_EXTENT_PX },
  // The last x label ends at the plot's edge instead of sticking out by half its width.
  axisX: { labelFlush: true },
  legend: { orient: 'bottom' as const, direction: 'horizontal' as const, columns: 3, labelFontSize: 12, symbolStrokeWidth: 2, labelLimit: 200, columnPadding: 18 },
  view: { stroke: '#888' },
};
