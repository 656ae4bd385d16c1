import { describe, expect, it } from 'vitest';
import { DirtyLog, scatteredRegion } from '../../../harness/backends/sim/dirty-log.ts';
import { BATCH_HEADER_BYTES, PAGE_BYTES, PAGE_HEADER_BYTES, XEN_PRECOPY_POLICY } from '../../../harness/backends/sim/parameters.ts';
import type { PrecopyPolicy } from '../../../harness/backends/sim/parameter-types.ts';
import { precopyCeiling } from '../../../harness/backends/sim/ceiling.ts';
import { simulatePrecopy, type PrecopyInput } from '../../../harness/backends/sim/precopy.ts';
import { Random } from '../../../harness/random.ts';
import { p2mFrames } from '../../../harness/backends/sim/p2m.ts';

const MB_PAGES = 256;
const PAGE_ON_WIRE = PAGE_HEADER_BYTES + PAGE_BYTES;

function run(options: {
  guestMb: number;
  regionMb: number;
  pagesPerS: number;
  bytesPerS: number;
  policy?: PrecopyPolicy;
  seed?: number;
}) {
  const random = new Random(options.seed ?? 1);
  const guestPages = options.guestMb * MB_PAGES;
  const region = scatteredRegion(guestPages, options.regionMb * MB_PAGES, random);
  const input: PrecopyInput = {
    guestPages,
    dirtyLog: new DirtyLog(region, options.pagesPerS, 0, random),
    streamBytesPerS: options.bytesPerS,
    setupS: 0,
    finalStageS: 0.5,
    policy: options.policy ?? XEN_PRECOPY_POLICY,
    pageBytes: PAGE_BYTES,
    pageHeaderBytes: PAGE_HEADER_BYTES,
    batchHeaderBytes: BATCH_HEADER_BYTES,
  };
  return simulatePrecopy(input);
}

describe('Xen 4.2.2 pre-copy', () => {
  it('moves an idle guest in one full pass, an empty live pass and an empty final pass', () => {
    const result = run({ guestMb: 256, regionMb: 0, pagesPerS: 0, bytesPerS: 12e6 });
    expect(result.passes.map((pass) => [pass.sentPages, pass.final])).toEqual([
      [256 * MB_PAGES, false],
      [0, false],
      [0, true],
    ]);
    expect(result.stopReason).toBe('min-remaining');
    expect(result.pagesSent).toBe(256 * MB_PAGES);
    expect(result.downtimeS).toBe(0.5);
  });

  it('follows the closed-form series when no page is skipped and the dirty rate is constant', () => {
    // Without skipping, pass k+1 sends the distinct pages written during pass k: with w writes
    // uniform over R pages that is R(1 - exp(-w/R)), i.e. the geometric series N*rho^k while
    // w << R, bent down by pages written twice once w approaches R.
    const bytesPerS = 40e6;
    const policy = { ...XEN_PRECOPY_POLICY, skipRedirtied: false };
    for (const pagesPerS of [300, 3000]) {
      const result = run({ guestMb: 1024, regionMb: 1024, pagesPerS, bytesPerS, policy });
      const regionPages = 1024 * MB_PAGES;
      const live = result.passes.filter((pass) => !pass.final && pass.sentPages > 2000);
      expect(live.length).toBeGreaterThanOrEqual(2);
      let expected = regionPages;
      let geometric = regionPages;
      for (const pass of live) {
        expect(Math.abs(pass.sentPages - expected) / expected).toBeLessThan(0.02);
        if (pagesPerS === 300) expect(Math.abs(pass.sentPages - geometric) / geometric).toBeLessThan(0.02);
        const writes = pagesPerS * (pass.endS - pass.startS);
        expected = regionPages * (1 - Math.exp(-writes / regionPages));
        geometric *= (pagesPerS * PAGE_ON_WIRE) / bytesPerS;
      }
    }
  });

  it('ends by the pass or volume limit, never the 50-page rule, when the dirty rate exceeds the link', () => {
    const bytesPerS = 12e6; // about 2,900 pages/s
    for (const pagesPerS of [4000, 8000, 20000]) {
      const result = run({ guestMb: 512, regionMb: 256, pagesPerS, bytesPerS });
      expect(['max-iterations', 'max-factor']).toContain(result.stopReason);
      expect(result.passes.length).toBeLessThanOrEqual(XEN_PRECOPY_POLICY.maxIterations + 1);
    }
  });

  it('stops after 29 live passes at most, plus the final pass', () => {
    const result = run({ guestMb: 512, regionMb: 256, pagesPerS: 2600, bytesPerS: 12e6 });
    expect(result.passes.length).toBeLessThanOrEqual(30);
    expect(result.passes.filter((pass) => pass.final)).toHaveLength(1);
    expect(result.passes[result.passes.length - 1]!.final).toBe(true);
  });

  it('never sends more than the volume limit plus one pass of the region', () => {
    const result = run({ guestMb: 512, regionMb: 256, pagesPerS: 50000, bytesPerS: 12e6 });
    expect(result.pagesSent).toBeLessThanOrEqual(3 * 512 * MB_PAGES + 256 * MB_PAGES);
  });

  it('skips pages written again before their batch, and only in live passes', () => {
    const result = run({ guestMb: 512, regionMb: 256, pagesPerS: 8000, bytesPerS: 12e6 });
    expect(result.passes.some((pass) => pass.skippedPages > 0)).toBe(true);
    expect(result.passes.find((pass) => pass.final)!.skippedPages).toBe(0);
  });

  it('takes at least the time its bytes need at the path rate, and its downtime is the final pass plus the final stage', () => {
    const bytesPerS = 30e6;
    const result = run({ guestMb: 512, regionMb: 256, pagesPerS: 5000, bytesPerS });
    expect(result.migrationTimeS).toBeGreaterThanOrEqual(result.streamBytes / bytesPerS);
    const final = result.passes.find((pass) => pass.final)!;
    expect(result.downtimeS).toBeCloseTo(final.endS - final.startS + 0.5, 9);
    const batches = result.passes.reduce((sum, pass) => sum + Math.ceil(pass.sentPages / 1024), 0);
    expect(result.streamBytes).toBeGreaterThanOrEqual(result.pagesSent * PAGE_ON_WIRE + batches * BATCH_HEADER_BYTES);
  });

  it('is deterministic in its seed and varies between seeds', () => {
    const a = run({ guestMb: 256, regionMb: 128, pagesPerS: 3000, bytesPerS: 12e6, seed: 7 });
    const b = run({ guestMb: 256, regionMb: 128, pagesPerS: 3000, bytesPerS: 12e6, seed: 7 });
    const c = run({ guestMb: 256, regionMb: 128, pagesPerS: 3000, bytesPerS: 12e6, seed: 8 });
    expect(a).toEqual(b);
    expect(c.pagesSent).not.toBe(a.pagesSent);
  });
});

describe('the pre-copy ceiling (R3)', () => {
  const base = {
    guestPages: 2048 * MB_PAGES, regionPages: 1024 * MB_PAGES, policy: XEN_PRECOPY_POLICY,
    pageBytes: PAGE_BYTES, pageHeaderBytes: PAGE_HEADER_BYTES, batchHeaderBytes: 4, streamBytesPerS: 10e6, setupS: 1, finalStageS: 1,
  };

  it('is 3N + R live pages plus R in the final pass when the factor binds first', () => {
    const { maxPagesSent } = precopyCeiling(base);
    expect(maxPagesSent).toBe(3 * base.guestPages + 2 * base.regionPages);
  });

  it('is N + 28 R + R when the 29 passes bind first, and N for an idle guest', () => {
    const small = { ...base, regionPages: 1000 };
    expect(precopyCeiling(small).maxPagesSent).toBe(base.guestPages + 29 * 1000);
    expect(precopyCeiling({ ...base, regionPages: 0 }).maxPagesSent).toBe(base.guestPages);
  });

  it('bounds every simulated migration, whatever the dirty rate', () => {
    for (const pagesPerS of [0, 3000, 9000, 20000]) {
      const guestPages = 64 * MB_PAGES;
      const regionPages = 32 * MB_PAGES;
      const bytesPerS = 2e6;
      const result = simulatePrecopy({
        guestPages, dirtyLog: new DirtyLog(scatteredRegion(guestPages, regionPages, new Random(3)), pagesPerS, 1, new Random(4)),
        streamBytesPerS: bytesPerS, setupS: 1, finalStageS: 0.5, policy: XEN_PRECOPY_POLICY,
        pageBytes: PAGE_BYTES, pageHeaderBytes: PAGE_HEADER_BYTES, batchHeaderBytes: 4,
      });
      const ceiling = precopyCeiling({ ...base, guestPages, regionPages, streamBytesPerS: bytesPerS, setupS: 1, finalStageS: 0.5 });
      expect(result.pagesSent).toBeLessThanOrEqual(ceiling.maxPagesSent);
      expect(result.migrationTimeS).toBeLessThanOrEqual(ceiling.maxMigrationTimeS);
      expect(result.downtimeS).toBeLessThanOrEqual(ceiling.maxDowntimeS);
    }
  });
});

describe('an HVM guest\'s p2m (R4)', () => {
  it('reaches the special pages below 0xff000, or the RAM moved above 4 GiB', () => {
    expect(p2mFrames(2048 * MB_PAGES, 'hvm')).toBe(0xff000);
    expect(p2mFrames(4096 * MB_PAGES, 'hvm')).toBe(0x100000 + (4096 * MB_PAGES - 0xf0000));
    expect(p2mFrames(2048 * MB_PAGES, 'guest-pages')).toBe(2048 * MB_PAGES);
  });

  it('pass 1 counts the dataless frames toward the 3x rule and sends 8 bytes for each', () => {
    const guestPages = 64 * MB_PAGES;
    const regionPages = 32 * MB_PAGES;
    const input = (p2m: number | undefined) => ({
      guestPages, dirtyLog: new DirtyLog(scatteredRegion(guestPages, regionPages, new Random(3)), 20000, 1, new Random(4)),
      streamBytesPerS: 2e6, setupS: 1, finalStageS: 0.5, policy: XEN_PRECOPY_POLICY,
      pageBytes: PAGE_BYTES, pageHeaderBytes: PAGE_HEADER_BYTES, batchHeaderBytes: 4, ...(p2m === undefined ? {} : { p2mFrames: p2m }),
    });
    const pv = simulatePrecopy(input(undefined));
    const hvm = simulatePrecopy(input(4 * guestPages));
    expect(pv.framesCounted).toBe(pv.pagesSent);
    expect(hvm.passes[0]!.sentPages).toBe(4 * guestPages - hvm.passes[0]!.skippedPages);
    expect(hvm.framesCounted - hvm.pagesSent).toBe(3 * guestPages);
    // Each dataless frame is its 8-byte word on the stream, each batch of them a 4-byte count.
    const datalessBytes = 3 * guestPages * PAGE_HEADER_BYTES + Math.ceil((3 * guestPages) / 1024) * 4;
    expect(hvm.passes[0]!.endS - hvm.passes[0]!.startS).toBeGreaterThanOrEqual(datalessBytes / 2e6);
  });
});
