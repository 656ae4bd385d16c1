import { marked } from 'marked';

export interface PageFigure {
  readonly name: string;
  readonly svg: string;
}

/**
 * One self-contained HTML page (no network access needed): the report
 * beside every figure of the run, the figures inlined as SVG.
 */
export function reportPage(title: string, reportMarkdown: string, figures: readonly PageFigure[]): string {
  const report = marked.parse(reportMarkdown, { async: false });
  const sections = figures
    .map((figure) => `<figure id="${figure.name}">\n${figure.svg.replace(/^<\?xml[^>]*>\s*/, '')}\n<figcaption>${figure.name}</figcaption>\n</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  body { font-family: 'DejaVu Sans', sans-serif; margin: 0; display: flex; gap: 24px; padding: 16px; }
  main { flex: 1 1 60%; min-width: 0; }
  aside { flex: 1 1 40%; min-width: 0; font-size: 13px; }
  figure { margin: 0 0 24px 0; }
  figure svg { max-width: 100%; height: auto; }
  figcaption { color: #666; font-size: 12px; }
  table { border-collapse: collapse; margin-bottom: 16px; }
  th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
  @media (max-width: 1100px) { body { flex-direction: column; } }
</style>
</head>
<body>
<main>
${sections}
</main>
<aside>
${report}
</aside>
</body>
</html>
`;
}
