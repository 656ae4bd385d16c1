import { describe, expect, it } from 'vitest';
import { alternativesSection, ranking } from '../../harness/report/alternatives.ts';
import type { AlternativesRow } from '../../harness/results/tables.ts';

const row = (system: string, rate: number, time: number | undefined, downtime = 1, slowdown = 10, extra: Partial<AlternativesRow> = {}): AlternativesRow => ({
  backend: 'sim', system, memory_mb: 2048, dirty_region_mb: 1024, dirty_pages_per_s: rate, rep: 1,
  status: time === undefined ? 'failed' : 'ok', error: time === undefined ? 'migration did not converge within 1800 s (20 passes); cancelled' : undefined,
  chosen_system: undefined, chosen_reason: undefined,
  migration_time_s: time, downtime_s: time === undefined ? undefined : downtime, network_bytes: undefined, iterations: undefined, pages_sent: undefined,
  guest_before_pages_per_s: rate, guest_during_pages_per_s: undefined, guest_after_pages_per_s: rate,
  guest_slowdown_pct: time === undefined ? undefined : slowdown,
  ...extra,
});

const rows: AlternativesRow[] = [
  row('vmbeam', 1000, 10, 0.6, 6),
  row('vmbeam', 8000, 10, 0.6, 6),
  row('xen-nest', 1000, 200, 0.8, 0.5),
  row('xen-nest', 8000, 950, 56, 6),
  row('precopy-qemu', 1000, 240, 0.9, 0.4),
  row('precopy-qemu', 8000, undefined),
  row('postcopy', 1000, 220, 0.9, 20),
  row('postcopy', 8000, 268, 0.95, 33),
  row('auto', 1000, 10, 0.6, 6, { chosen_system: 'vmbeam', chosen_reason: 'same host' }),
  row('auto', 8000, 10, 0.6, 6, { chosen_system: 'vmbeam', chosen_reason: 'same host' }),
];

describe('the alternatives section of REPORT.md', () => {
  it('ranks the schemes that finished, auto aside', () => {
    expect(ranking(rows, 8000, 'migration_time_s').map((s) => s.system)).toEqual(['vmbeam', 'postcopy', 'xen-nest']);
    // The writing lost: 6 % of 10 s against 6 % of 950 s and 33 % of 268 s.
    expect(ranking(rows, 8000, 'guest_lost_s').map((s) => [s.system, Number(s.value.toFixed(2))])).toEqual([
      ['vmbeam', 0.6],
      ['xen-nest', 57],
      ['postcopy', 88.44],
    ]);
  });

  it('says where a scheme did not converge, and who wins with zero-copy and without it, by how much', () => {
    const section = alternativesSection(rows);
    expect(section).toMatch(/\| 8,000 \| 10\.0 \/ 0\.60 \| 950\.0 \/ 56\.00 \| not converged in 1800 s \| 268\.0 \/ 0\.95 \| 10\.0 \/ 0\.60 \|/);
    expect(section).toMatch(/\| 1,000 \| 6\.0 % · 0\.6 s \| 0\.5 % · 1\.0 s \| 0\.4 % · 1\.0 s \| 20\.0 % · 44\.0 s \| 6\.0 % · 0\.6 s \|/);
    expect(section).toMatch(/- 8,000 pages\/s: shortest migration VMBeam 10\.0 s, 26\.8x shorter than Post-copy \(268\.0 s\)/);
    expect(section).toMatch(/Without zero-copy[^]*- 8,000 pages\/s: shortest migration Post-copy 268\.0 s, 3\.5x shorter than Xen-Nest \(950\.0 s\); shortest downtime Post-copy 0\.95 s, 58\.9x shorter than Xen-Nest/);
    // 240 s against 220 s: a close call, as a percentage.
    expect(section).toMatch(/- 1,000 pages\/s: shortest migration Xen-Nest 200\.0 s, 10 % shorter than Post-copy \(220\.0 s\)/);
    expect(section).toMatch(/- at 1,000, 8,000 pages\/s: VMBeam \(same host\)/);
  });
});
