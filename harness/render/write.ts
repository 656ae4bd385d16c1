import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Chart } from './specs.ts';
import { FONT_FAMILY } from './style.ts';
import { fontWidths } from './text-width.ts';

const require = createRequire(import.meta.url);
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) =>
  join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', file),
);
const [regular, bold] = FONT_FILES.map(fontWidths) as [ReturnType<typeof fontWidths>, ReturnType<typeof fontWidths>];
// vega lays text out by this function when it has no canvas (its own hook, as vl-convert uses it): the fonts resvg draws with.
type TextItem = { fontSize?: number; fontWeight?: string | number };
// vega exports textMetrics (from vega-scenegraph) but its type declarations do not list it.
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } };
textMetrics.width = (item, text) => {
  const size = item.fontSize ?? 11;
  const heavy = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return (heavy ? bold : regular).width(text === null || text === undefined ? '' : String(text).trim(), size);
};

/** PNGs are drawn at twice the SVG's size so they stay sharp on high-density screens. */
const PNG_SCALE = 2;

export async function chartToSvg(chart: Chart): Promise<string> {
  const view = new vega.View(vega.parse(compile(chart.spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: PNG_SCALE },
  });
  return resvg.render().asPng();
}
