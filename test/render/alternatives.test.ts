import { describe, expect, it } from 'vitest';
import { alternativesCharts, failureNotes } from '../../harness/render/alternatives.ts';
import type { AlternativesRow } from '../../harness/results/tables.ts';

const row = (system: string, rate: number, status: 'ok' | 'failed', error?: string): AlternativesRow => ({
  backend: 'sim', system, memory_mb: 256, dirty_region_mb: 128, dirty_pages_per_s: rate, rep: 1, status, error,
  chosen_system: system === 'auto' ? 'vmbeam' : undefined, chosen_reason: undefined,
  migration_time_s: status === 'ok' ? 30 : undefined, downtime_s: status === 'ok' ? 0.5 : undefined, network_bytes: undefined,
  iterations: undefined, pages_sent: undefined, guest_before_pages_per_s: rate, guest_during_pages_per_s: undefined, guest_after_pages_per_s: rate,
  guest_slowdown_pct: status === 'ok' ? 5 : undefined,
});
const gaveUp = 'migration did not converge within 240 s (30 passes); cancelled';
const rates = [1000, 2000, 4000, 8000];

describe('the alternatives charts', () => {
  it('name the schemes that never finished at a rate, grouped by the rates, and the give-up time', () => {
    const rows = [
      ...rates.map((rate) => row('precopy-qemu', rate, rate >= 4000 ? 'failed' : 'ok', rate >= 4000 ? gaveUp : undefined)),
      ...rates.map((rate) => row('multifd', rate, rate >= 4000 ? 'failed' : 'ok', rate >= 4000 ? gaveUp : undefined)),
      ...rates.map((rate) => row('xbzrle', rate, rate === 8000 ? 'failed' : 'ok', rate === 8000 ? gaveUp : undefined)),
      row('postcopy', 1000, 'failed', 'QMP: connection reset'),
    ];
    expect(failureNotes(rows)).toEqual({
      lines: ['Not converged within 240 s (given up): Pre-copy (QEMU), Multifd at 4,000, 8,000; XBZRLE at 8,000 pages/s', '1 migration failed otherwise: see the error column'],
      giveUpS: 240,
    });
  });

  it('draw both times on log axes, the give-up time as a rule, and say what auto chose', () => {
    const rows = [...rates.map((rate) => row('precopy-qemu', rate, rate >= 4000 ? 'failed' : 'ok', rate >= 4000 ? gaveUp : undefined)), ...rates.map((rate) => row('auto', rate, 'ok'))];
    const [time, downtime, slowdown] = alternativesCharts(rows);
    const text = JSON.stringify(time!.spec);
    expect(text).toMatch(/"type":"log"/);
    expect(text).toMatch(/give-up time, 240 s/);
    expect(text).toMatch(/Auto chose VMBeam at every rate/);
    expect(JSON.stringify(downtime!.spec)).toMatch(/"type":"log"/);
    expect(JSON.stringify(slowdown!.spec)).not.toMatch(/"type":"log"/);
  });
});
