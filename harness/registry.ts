/**
 * Everything that belongs to one figure, declared once: its tables (and how
 * an outcome becomes their rows), its charts, its section of REPORT.md and
 * what validation reads of a measured run. A figure id without an entry, or
 * an entry without a field, does not compile.
 */
import type { BackendName } from './backends/backend.ts';
import type { FigureId } from './experiment.ts';
import type { Chart } from './render/specs.ts';
import { alternativesCharts } from './render/alternatives.ts';
import { fig2Charts, fig3Charts, fig4Charts, fig5Charts, fig6Charts, fig7Charts } from './render/specs.ts';
import { alternativesSection } from './report/alternatives.ts';
import { fig4Section, fig5Section, fig6Section, fig7Section } from './report/predictions.ts';
import { csvPath, readTable } from './results/csv.ts';
import type { AnyTable, ColumnSpec, RowOf, Table } from './results/table.ts';
import {
  alternativesRows,
  fig2Rows,
  fig3Rows,
  fig3SeriesRows,
  fig4Rows,
  fig4SeriesRows,
  fig5Rows,
  fig6Rows,
  fig7Rows,
  fig7SeriesRows,
  openRecorder,
  type FigureTable,
  type FigureTables,
} from './rows.ts';
import type { FigureRecorder } from './runner.ts';
import type { RunRows } from './validate/compare.ts';

export interface FigureEntry {
  /** Its CSVs, summary first, each with its row builder. */
  readonly tables: FigureTables;
  /** Its charts, from the CSVs in a results directory. */
  readonly charts: (resultsDir: string) => Chart[];
  /**
   * Its section of REPORT.md, or `null` for a figure the calibration section
   * judges (Figs. 2 and 3 are compared with the paper's statements together).
   */
  readonly reportSection: ((resultsDir: string) => string) | null;
  /** What validation compares of a measured run, or `null` for a figure it does not validate. */
  readonly measured: ((resultsDir: string) => RunRows) | null;
}

const read = <C extends ColumnSpec>(table: Table<C>, resultsDir: string): RowOf<C>[] => readTable(table, csvPath(resultsDir, table));

export const FIGURE_REGISTRY = {
  '2': {
    tables: [fig2Rows],
    charts: (dir) => fig2Charts(read(fig2Rows.table, dir)),
    reportSection: null,
    measured: (dir) => ({ fig2: read(fig2Rows.table, dir) }),
  },
  '3': {
    tables: [fig3Rows, fig3SeriesRows],
    charts: (dir) => fig3Charts(read(fig3Rows.table, dir), read(fig3SeriesRows.table, dir)),
    reportSection: null,
    // Fig. 3 plots the migrations of Fig. 2: validation adds nothing from it.
    measured: null,
  },
  '4': {
    tables: [fig4Rows, fig4SeriesRows],
    charts: (dir) => fig4Charts(read(fig4Rows.table, dir), read(fig4SeriesRows.table, dir)),
    reportSection: (dir) => fig4Section(read(fig4Rows.table, dir)),
    measured: (dir) => ({ fig4: read(fig4Rows.table, dir) }),
  },
  '5': {
    tables: [fig5Rows],
    charts: (dir) => fig5Charts(read(fig5Rows.table, dir)),
    reportSection: (dir) => fig5Section(read(fig5Rows.table, dir)),
    // An estimate from counters no real testbed exposes.
    measured: null,
  },
  '6': {
    tables: [fig6Rows],
    charts: (dir) => fig6Charts(read(fig6Rows.table, dir)),
    reportSection: (dir) => fig6Section(read(fig6Rows.table, dir)),
    measured: (dir) => ({ fig6: read(fig6Rows.table, dir) }),
  },
  '7': {
    tables: [fig7Rows, fig7SeriesRows],
    charts: (dir) => fig7Charts(read(fig7Rows.table, dir), read(fig7SeriesRows.table, dir)),
    reportSection: (dir) => fig7Section(read(fig7Rows.table, dir)),
    // A service run's throughput: the simulator's host profile does not model it.
    measured: null,
  },
  alternatives: {
    tables: [alternativesRows],
    charts: (dir) => alternativesCharts(read(alternativesRows.table, dir)),
    reportSection: (dir) => alternativesSection(read(alternativesRows.table, dir)),
    measured: (dir) => ({ alternatives: read(alternativesRows.table, dir) }),
  },
} as const satisfies Record<FigureId, FigureEntry>;

/** A figure's CSVs, summary first. */
export function figureTables(figure: FigureId): readonly AnyTable[] {
  return FIGURE_REGISTRY[figure].tables.map((entry: FigureTable) => entry.table);
}

/** Figures in the paper's order. */
export const FIGURE_IDS = Object.keys(FIGURE_REGISTRY) as FigureId[];

/** The figures whose measured rows validation compares. */
export const VALIDATED_FIGURES: readonly FigureId[] = FIGURE_IDS.filter((figure) => FIGURE_REGISTRY[figure].measured !== null);

/** What validation compares of the figures a run produced, read from its directory. */
export function readMeasuredRows(resultsDir: string, figures: readonly FigureId[]): RunRows {
  return Object.assign({}, ...VALIDATED_FIGURES.filter((figure) => figures.includes(figure)).map((figure) => FIGURE_REGISTRY[figure].measured!(resultsDir))) as RunRows;
}

/** Where a run's rows go: each figure's CSVs in `resultsDir`, opened when its experiment starts. */
export function csvRecorders(resultsDir: string, backend: BackendName): (figure: FigureId) => FigureRecorder {
  return (figure) => openRecorder(FIGURE_REGISTRY[figure].tables, resultsDir, backend);
}
