/**
 * index.html: one self-contained page (no network access needed) a
 * researcher reads beside the paper: where the results came from at the
 * top (revision, date, host, command, links to every file), a contents
 * list, the figures in one column at their own size, then the report with
 * its verdicts coloured. Pure: inputs -> HTML text.
 */
import { marked } from 'marked';
import type { RunInfo } from '../results/run-info.ts';

export interface PageFigure {
  readonly name: string;
  readonly svg: string;
  /** Where its PNG and SVG files are, relative to the page, without the extension (default: the name, beside the page). */
  readonly files?: string;
}

export interface PageInput {
  readonly title: string;
  readonly reportMarkdown: string;
  readonly figures: readonly PageFigure[];
  /** The run's run.json, when the page is written beside one. */
  readonly run?: RunInfo;
  /** The results files (CSVs, run.json, REPORT.md), as links relative to the page. */
  readonly files?: readonly { readonly name: string; readonly href: string }[];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Verdict words of the report's tables, by the colour they get. */
const VERDICTS: Readonly<Record<string, string>> = { pass: 'good', ok: 'good', within: 'good', fail: 'bad', outside: 'bad', off: 'bad', skipped: 'neutral', skip: 'neutral', partly: 'warn', close: 'warn' };

/** The report as HTML, each h2/h3 with an id for the contents list, verdict cells with a class for their colour. */
function reportHtml(markdown: string): { html: string; headings: { level: number; id: string; text: string }[] } {
  const headings: { level: number; id: string; text: string }[] = [];
  const html = marked
    .parse(markdown, { async: false })
    .replace(/<h([23])>(.*?)<\/h\1>/g, (_, level: string, text: string) => {
      const id = `report-${slug(text)}`;
      headings.push({ level: Number(level), id, text: text.replace(/<[^>]*>/g, '') });
      return `<h${level} id="${id}">${text}</h${level}>`;
    })
    .replace(/<td>(?:<strong>)?([a-z]+)(?:<\/strong>)?<\/td>/g, (cell, word: string) => {
      const tone = VERDICTS[word];
      return tone === undefined ? cell : `<td class="verdict ${tone}">${word}</td>`;
    });
  return { html, headings };
}

/** Revision, date, host and command, from run.json, each marked volatile: identical results differ in them (tests compare pages without them). */
function provenance(run: RunInfo | undefined): string {
  if (run === undefined) return '<p class="muted">No run.json beside these results.</p>';
  const revision = run.gitRevision === undefined ? 'not a git checkout' : `<code>${run.gitRevision.slice(0, 12)}</code>${run.gitDirty === true ? ' <strong class="bad">with uncommitted changes</strong>' : ''}`;
  const machine = run.host === undefined ? (run.mergedFrom === undefined ? 'not recorded' : `merged: see the run.json of each of the ${run.mergedFrom.length} shards`) : `${escape(run.host.cpuModel)}, ${run.host.cores} cores, Linux ${escape(run.host.kernel)}`;
  const host = `<span data-volatile>${machine}</span>`;
  const command = run.command === undefined ? 'not recorded' : `<code data-volatile>npm run ${escape(run.command.join(' ').replace(/^(\S+)/, '$1 --'))}</code>`;
  const outcome = run.outcome === undefined ? 'did not finish' : `${run.outcome.points} points, ${run.outcome.migrations} migrations, ${run.outcome.failures} failed${run.outcome.interrupted ? ', interrupted' : ''}`;
  const rows: [string, string][] = [
    ['revision', `<span data-volatile>${revision}</span>`],
    ['date', `<time data-volatile>${escape(run.finishedAt ?? run.startedAt)}</time>`],
    ['host', host],
    ['command', command],
    ['run', `backend <code>${escape(run.backend)}</code>, ${run.scale} scale, seed ${run.seed}, ${run.repetitions} repetitions per point; ${outcome}`],
  ];
  return `<table class="provenance">\n${rows.map(([key, value]) => `<tr><th>${key}</th><td>${value}</td></tr>`).join('\n')}\n</table>`;
}

/** "fig2a" -> "Fig. 2(a)", "fig5" -> "Fig. 5"; other charts keep their name. */
const figureLabel = (name: string) => name.replace(/^fig(\d)([a-z]?)$/, (_, figure: string, panel: string) => `Fig. ${figure}${panel === '' ? '' : `(${panel})`}`);

export function reportPage(input: PageInput): string {
  const { html, headings } = reportHtml(input.reportMarkdown);
  const files = (input.files ?? []).map((file) => `<a href="${escape(file.href)}">${escape(file.name)}</a>`).join(' · ');
  const contents = [
    ...input.figures.map((figure) => `<li><a href="#${figure.name}">${figureLabel(figure.name)}</a></li>`),
    ...headings.map((heading) => `<li class="h${heading.level}"><a href="#${heading.id}">${heading.text}</a></li>`),
  ].join('\n');
  const figures = input.figures
    .map((figure) => `<figure id="${figure.name}">\n${figure.svg.replace(/^<\?xml[^>]*>\s*/, '')}\n<figcaption><a href="${figure.files ?? figure.name}.png">${figure.name}.png</a> · <a href="${figure.files ?? figure.name}.svg">${figure.name}.svg</a></figcaption>\n</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(input.title)}</title>
<style>
  body { font-family: 'DejaVu Sans', sans-serif; font-size: 14px; line-height: 1.45; color: #222; margin: 0 auto; padding: 16px 20px 48px; max-width: 760px; }
  h1 { font-size: 22px; margin: 0 0 8px; }
  h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
  h3 { font-size: 15px; margin-top: 24px; }
  nav ul { columns: 2; padding-left: 18px; margin: 4px 0; }
  nav li.h3 { margin-left: 14px; }
  figure { margin: 0 0 28px; }
  figure svg { display: block; max-width: 100%; height: auto; }
  figcaption { color: #666; font-size: 12px; }
  /* Wide report tables scroll inside the column instead of widening the page. */
  .table-wrap, main table { display: block; max-width: 100%; overflow-x: auto; }
  table { border-collapse: collapse; margin-bottom: 16px; font-size: 13px; }
  th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
  table.provenance th { background: #f5f5f5; white-space: nowrap; }
  code { font-size: 12px; overflow-wrap: anywhere; }
  pre { overflow-x: auto; }
  .verdict.good { background: #e3f4e1; color: #1b5e20; }
  .verdict.bad, strong.bad { background: #fde2e1; color: #b71c1c; }
  .verdict.warn { background: #fff4d6; color: #7a5b00; }
  .verdict.neutral { color: #777; }
  .muted, .files { color: #555; font-size: 13px; }
</style>
</head>
<body>
<header>
<h1>${escape(input.title)}</h1>
${provenance(input.run)}
<p class="files">Files: ${files === '' ? 'none listed' : files}</p>
</header>
<nav>
<h2>Contents</h2>
<ul>
${contents}
</ul>
</nav>
<main>
<h2 id="figures">Figures</h2>
${figures}
<h2 id="report">Report</h2>
${html}
</main>
</body>
</html>
`;
}
