/** What a finished run writes beside its CSVs: REPORT.md, the charts (SVG, PNG) and index.html. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FigureId } from '../experiment.ts';
import { FIGURE_REGISTRY } from '../registry.ts';
import { compareWithPaper } from '../report/calibration.ts';
import { reproductionReport, type ReportContext } from '../report/markdown.ts';
import { csvPath, readTable } from '../results/csv.ts';
import { readRunInfo, RUN_INFO_FILE, runInfoSchema, type RunInfo } from '../results/run-info.ts';
import { fig2Table, fig3Table, fig4Table, fig5Table, fig6Table, fig7Table } from '../results/tables.ts';
import type { ColumnSpec, Table } from '../results/table.ts';
import { BLIND_REVISION, readBlindRows } from '../report/blind.ts';
import { orderingSection } from '../report/orderings.ts';
import { validationSection, type StatementRows } from '../report/paper-validation.ts';

export interface RenderedChart {
  readonly name: string;
  readonly svg: string;
  /** Where its files are, relative to index.html, without the extension (default: beside it). */
  readonly files?: string;
}

/** Writes REPORT.md beside the CSVs and returns its text. */
export function writeReport(resultsDir: string, figures: readonly FigureId[], context: ReportContext, appendix: readonly string[]): string {
  // The paper's statements are about its own sweep: only a paper-scale run of the paper's testbed is judged against them.
  const comparisons =
    context.scale === 'paper' && (context.profile ?? 'paper') === 'paper' && figures.includes('2') && figures.includes('3')
      ? compareWithPaper(readTable(fig2Table, csvPath(resultsDir, fig2Table)), readTable(fig3Table, csvPath(resultsDir, fig3Table)))
      : undefined;
  const sections = figures.flatMap((figure) => {
    const section = FIGURE_REGISTRY[figure].reportSection;
    return section === null ? [] : [section(resultsDir)];
  });
  const report = reproductionReport(context, comparisons, sections.join('\n\n'), appendix, statementsSection(resultsDir, figures, context));
  writeFileSync(join(resultsDir, 'REPORT.md'), report);
  return report;
}

/**
 * Figs. 4-7 and the headline claims against the paper: judged on the
 * paper's testbed as modelled (sim, beside its blind predictions) or run
 * (xen); on the qemu testbed, another platform, only the orderings and
 * ratios the paper reports.
 */
function statementsSection(resultsDir: string, figures: readonly FigureId[], context: ReportContext): string | undefined {
  const read = <C extends ColumnSpec>(figure: FigureId, table: Table<C>) => (figures.includes(figure) ? readTable(table, csvPath(resultsDir, table)) : undefined);
  const rows: StatementRows = {
    ...optional('fig2', read('2', fig2Table)),
    ...optional('fig3', read('3', fig3Table)),
    ...optional('fig4', read('4', fig4Table)),
    ...optional('fig5', read('5', fig5Table)),
    ...optional('fig6', read('6', fig6Table)),
    ...optional('fig7', read('7', fig7Table)),
  };
  if (context.backend === 'qemu') return orderingSection(rows, 'the qemu testbed');
  const paperTestbed = context.scale === 'paper' && (context.profile ?? 'paper') === 'paper';
  if (!paperTestbed) return undefined;
  return validationSection(rows, context.backend === 'sim' ? readBlindRows() : undefined, `sim at ${BLIND_REVISION}`);
}

/** `{ [key]: value }` when the value exists, `{}` otherwise (for exact optional properties). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Renders every chart of the figures as SVG and PNG into `figuresDir`. */
export async function writeCharts(figures: readonly FigureId[], resultsDir: string, figuresDir: string, signal?: AbortSignal): Promise<RenderedChart[]> {
  // Charting pulls in vega and resvg; load them only when charts are wanted.
  const { renderCharts } = await import('../render/render.ts');
  return renderCharts(
    figures.flatMap((figure) => FIGURE_REGISTRY[figure].charts(resultsDir)),
    figuresDir,
    signal,
  );
}

/** index.html: the charts and the report, headed by the run's provenance and links to the results files of `resultsDir`. */
export async function writeIndex(figuresDir: string, title: string, report: string, charts: readonly RenderedChart[], resultsDir?: string): Promise<void> {
  const { reportPage } = await import('../report/page.ts');
  mkdirSync(figuresDir, { recursive: true });
  const files =
    resultsDir === undefined || !existsSync(resultsDir)
      ? []
      : readdirSync(resultsDir)
          .filter((file) => file.endsWith('.csv') || file === RUN_INFO_FILE || file === 'REPORT.md')
          .sort()
          .map((file) => ({ name: file, href: relative(figuresDir, join(resultsDir, file)) }));
  const run = resultsDir === undefined ? undefined : runInfoOf(resultsDir);
  writeFileSync(join(figuresDir, 'index.html'), reportPage({ title, reportMarkdown: report, figures: charts, files, ...(run === undefined ? {} : { run }) }));
}

/** run.json, if the directory holds a readable one: the page then says where its results came from. */
function runInfoOf(resultsDir: string): RunInfo | undefined {
  try {
    return readRunInfo(join(resultsDir, RUN_INFO_FILE), runInfoSchema, 'run.json');
  } catch {
    return undefined;
  }
}

/** What a report is written from: the run's figures and how it ran. */
export interface ReportSpec {
  readonly figures: readonly FigureId[];
  readonly context: ReportContext;
  readonly title: string;
  /** Further report sections (a host profile's differences, its validation). */
  readonly appendix?: readonly string[];
  readonly charts: boolean;
  /** Stops between charts once aborted (the caller records the interruption). */
  readonly signal?: AbortSignal;
}

/** REPORT.md, then (unless told not to) the charts and index.html; returns the report and the charts. */
export async function writeOutputs(resultsDir: string, figuresDir: string, spec: ReportSpec): Promise<{ report: string; charts: RenderedChart[] }> {
  const report = writeReport(resultsDir, spec.figures, spec.context, spec.appendix ?? []);
  if (!spec.charts) return { report, charts: [] };
  const charts = await writeCharts(spec.figures, resultsDir, figuresDir, spec.signal);
  await writeIndex(figuresDir, spec.title, report, charts, resultsDir);
  console.log(`wrote ${charts.length} charts (SVG, PNG) and index.html to ${figuresDir}`);
  return { report, charts };
}

/** index.html's title. */
export function pageTitle(backendName: string, profile: string | undefined): string {
  return `VMBeam reproduction: ${backendName}${profile !== undefined && profile !== 'paper' ? ` (${profile} profile)` : ''}`;
}
