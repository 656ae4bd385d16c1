import type { FigureId } from '../experiment.ts';
import { csvPath, readTable } from '../results/csv.ts';
import { fig2Table, fig3SeriesTable, fig3Table, fig6Table } from '../results/tables.ts';
import { fig2Charts, fig3Charts, fig6Charts, type Chart } from './specs.ts';
import { writeChart } from './write.ts';

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
    case '6':
      return fig6Charts(readTable(fig6Table, csvPath(resultsDir, fig6Table)));
  }
}

/** Renders every chart of the figures; returns the files written. */
export async function renderFigures(
  figures: readonly FigureId[],
  resultsDir: string,
  figuresDir: string,
): Promise<string[]> {
  const written: string[] = [];
  for (const figure of figures) {
    for (const chart of chartsFor(figure, resultsDir)) written.push(...(await writeChart(chart, figuresDir)));
  }
  return written;
}
