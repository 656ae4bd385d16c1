import type { FigureId } from '../experiment.ts';
import { csvPath, readTable } from '../results/csv.ts';
import {
  fig2Table,
  fig3SeriesTable,
  fig3Table,
  fig4SeriesTable,
  fig4Table,
  fig5Table,
  fig6Table,
  fig7SeriesTable,
  fig7Table,
} from '../results/tables.ts';
import { fig2Charts, fig3Charts, fig4Charts, fig5Charts, fig6Charts, fig7Charts, type Chart } from './specs.ts';
import { chartToSvg, svgToPng } from './write.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The charts of one figure, built from the CSVs in `resultsDir`. */
export function chartsFor(figure: FigureId, resultsDir: string): Chart[] {
  switch (figure) {
    case '2':
      return fig2Charts(readTable(fig2Table, csvPath(resultsDir, fig2Table)));
    case '3':
      return fig3Charts(
        readTable(fig3Table, csvPath(resultsDir, fig3Table)),
        readTable(fig3SeriesTable, csvPath(resultsDir, fig3SeriesTable)),
      );
    case '4':
      return fig4Charts(
        readTable(fig4Table, csvPath(resultsDir, fig4Table)),
        readTable(fig4SeriesTable, csvPath(resultsDir, fig4SeriesTable)),
      );
    case '5':
      return fig5Charts(readTable(fig5Table, csvPath(resultsDir, fig5Table)));
    case '6':
      return fig6Charts(readTable(fig6Table, csvPath(resultsDir, fig6Table)));
    case '7':
      return fig7Charts(
        readTable(fig7Table, csvPath(resultsDir, fig7Table)),
        readTable(fig7SeriesTable, csvPath(resultsDir, fig7SeriesTable)),
      );
  }
}

/** Renders every chart of the figures as SVG and PNG; returns the charts' SVG text by name. */
export async function renderFigures(
  figures: readonly FigureId[],
  resultsDir: string,
  figuresDir: string,
): Promise<{ name: string; svg: string }[]> {
  mkdirSync(figuresDir, { recursive: true });
  const rendered: { name: string; svg: string }[] = [];
  for (const figure of figures) {
    for (const chart of chartsFor(figure, resultsDir)) {
      const svg = await chartToSvg(chart);
      writeFileSync(join(figuresDir, `${chart.name}.svg`), svg);
      writeFileSync(join(figuresDir, `${chart.name}.png`), svgToPng(svg));
      rendered.push({ name: chart.name, svg });
    }
  }
  return rendered;
}
