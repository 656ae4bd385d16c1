import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium; elsewhere the test says why it did not run.
const haveChromium = existsSync(CHROMIUM) || process.env.CI !== undefined;

describe('figures/sim/index.html', () => {
  it.runIf(haveChromium)('draws every figure of the run beside the report, offline', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(join(ROOT, 'figures/sim/index.html')).href);
      const drawn = await page.$$eval('figure', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, text').length ?? 0 };
        }),
      );
      const charts = readdirSync(join(ROOT, 'figures/sim')).filter((file) => file.endsWith('.svg')).map((file) => file.replace('.svg', ''));
      expect(drawn.map((figure) => figure.id).sort()).toEqual(charts.sort());
      for (const figure of drawn) {
        expect(figure.width, figure.id).toBeGreaterThan(300);
        expect(figure.height, figure.id).toBeGreaterThan(150);
        expect(figure.marks, figure.id).toBeGreaterThan(20);
      }
      expect(await page.locator('aside table').count()).toBeGreaterThanOrEqual(2);
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
