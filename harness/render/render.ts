import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chart } from './specs.ts';
import { chartToSvg, svgToPng } from './write.ts';

/** Renders each chart as SVG and PNG into `figuresDir` (until `signal` aborts); returns the charts' SVG text by name. */
export async function renderCharts(charts: readonly Chart[], figuresDir: string, signal?: AbortSignal): Promise<{ name: string; svg: string }[]> {
  mkdirSync(figuresDir, { recursive: true });
  const rendered: { name: string; svg: string }[] = [];
  for (const chart of charts) {
    // Rendering takes a while per chart: an interrupted run stops between them.
    signal?.throwIfAborted();
    const svg = await chartToSvg(chart);
    writeFileSync(join(figuresDir, `${chart.name}.svg`), svg);
    writeFileSync(join(figuresDir, `${chart.name}.png`), svgToPng(svg));
    rendered.push({ name: chart.name, svg });
  }
  return rendered;
}
