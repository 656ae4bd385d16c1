import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { reportPage } from '../../harness/report/page.ts';

const ROOT = join(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium; elsewhere the test says why it did not run.
const haveChromium = existsSync(CHROMIUM) || process.env.CI !== undefined;
/** The window the page is checked in: a laptop screen. */
const WINDOW = { width: 1280, height: 900 };

describe('index.html (pure)', () => {
  it('heads the page with the run, links its files, lists its contents and colours verdicts', () => {
    const html = reportPage({
      title: 'VMBeam reproduction: sim',
      reportMarkdown: '## Calibration\n\n| statement | verdict |\n| --- | --- |\n| a | pass |\n| b | **fail** |\n',
      figures: [{ name: 'fig2a', svg: '<svg width="700"></svg>' }],
      files: [{ name: 'fig2.csv', href: '../../results/sim/fig2.csv' }],
      run: {
        backend: 'sim', figures: ['fig2'], seed: 1, repetitions: 5, scale: 'paper', nodeVersion: 'v20', startedAt: 't0', finishedAt: '2026-12-02T10:00:00Z',
        gitRevision: '0123456789abcdef', gitDirty: true, host: { cpuModel: 'CPU', cores: 2, loadAverage: [0, 0, 0], kernel: '6.1' }, command: ['experiment', '--figure', '2'],
        backendInfo: {}, outcome: { points: 1, migrations: 5, failures: 0, interrupted: false },
      },
    });
    expect(html).toContain('<code>0123456789ab</code> <strong class="bad">with uncommitted changes</strong>');
    expect(html).toContain('<time data-volatile>2026-12-02T10:00:00Z</time>');
    expect(html).toContain('npm run experiment -- --figure 2');
    expect(html).toContain('<a href="../../results/sim/fig2.csv">fig2.csv</a>');
    expect(html).toContain('<li><a href="#fig2a">Fig. 2(a)</a></li>');
    expect(html).toContain('<h2 id="report-calibration">Calibration</h2>');
    expect(html).toContain('<td class="verdict good">pass</td>');
    expect(html).toContain('<td class="verdict bad">fail</td>');
  });
});

describe('figures/*/index.html in Chromium', () => {
  it.runIf(haveChromium).each(['sim', 'qemu'])('figures/%s/index.html draws every figure at one width, offline, and nothing overflows the window', async (backend) => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: WINDOW });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(join(ROOT, `figures/${backend}/index.html`)).href);
      const drawn = await page.$$eval('figure', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: figure.id, width: Math.round(box?.width ?? 0), height: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, text').length ?? 0 };
        }),
      );
      const charts = readdirSync(join(ROOT, `figures/${backend}`)).filter((file) => file.endsWith('.svg')).map((file) => file.replace('.svg', ''));
      expect(drawn.map((figure) => figure.id).sort()).toEqual(charts.sort());
      for (const figure of drawn) {
        // One width for every chart: one text size on the page.
        expect(`${figure.id} ${figure.width}`).toBe(`${figure.id} 700`);
        expect(figure.height, figure.id).toBeGreaterThan(150);
        expect(figure.marks, figure.id).toBeGreaterThan(20);
      }
      expect(await page.locator('header table.provenance tr').count()).toBe(5);
      expect(await page.locator('header .files a').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('nav li').count()).toBeGreaterThan(drawn.length);
      expect(await page.locator('main table').count()).toBeGreaterThanOrEqual(1);
      // Nothing sticks out of the window sideways, except inside a box that scrolls (a wide report table).
      // Runs in the page (a string: the test's TypeScript has no DOM types).
      const overflowing = await page.evaluate<string[]>(`(() => {
        const scrolls = (element) => element !== null && element !== document.body && (getComputedStyle(element).overflowX === 'auto' || scrolls(element.parentElement));
        return [...document.body.querySelectorAll('*')]
          .filter((element) => element.getBoundingClientRect().right > ${WINDOW.width} + 0.5 && !scrolls(element.parentElement))
          .map((element) => element.tagName.toLowerCase() + (element.id === '' ? '' : '#' + element.id) + ': ' + (element.textContent ?? '').slice(0, 40));
      })()`);
      expect(overflowing).toEqual([]);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WINDOW.width);
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
      await page.screenshot({ path: join(tmpdir(), `vmbeam-index-${backend}.png`), fullPage: false });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
