import { describe, expect, it } from 'vitest';
import { checkOrderings, orderingSection } from '../../harness/report/orderings.ts';
import type { Fig6Row, Fig7Row } from '../../harness/results/tables.ts';

const fig7 = (system: string, degradation: number): Fig7Row => ({
  backend: 'qemu', system, memory_mb: 256, rep: 1, status: 'ok', error: undefined, normal_rps: 100, migration_rps: 100 - degradation,
  degradation_pct: degradation, offered_rps: 100, capacity_rps: 120, failed_requests: 0, errors: 0, timeouts: 0,
});
const fig6 = (system: string, rate: number, time: number): Fig6Row => ({
  backend: 'qemu', system, memory_mb: 512, dirty_region_mb: 256, dirty_pages_per_s: rate, rep: 1, status: 'ok', error: undefined,
  migration_time_s: time, downtime_s: 0.1, network_bytes: 1, iterations: 1, pages_sent: 1,
});

describe('orderings on another platform (issue 14, item 6)', () => {
  it("checks the paper's order of the web degradations, not their values", () => {
    const [holds] = checkOrderings({ fig7: [fig7('vmbeam', 5), fig7('xen-nest', 9), fig7('xen-blanket', 1)] });
    expect(holds).toMatchObject({ holds: true });
    const [fails] = checkOrderings({ fig7: [fig7('vmbeam', 15), fig7('xen-nest', 2.5), fig7('xen-blanket', 9)] });
    expect(fails!.holds).toBe(false);
  });

  it('checks only the figures the run has, and a missing system is no pass', () => {
    const results = checkOrderings({ fig6: [fig6('xen-blanket', 0, 10), fig6('xen-blanket', 2000, 12), fig6('xen-blanket', 8000, 30)] });
    expect(results.map((r) => r.ordering.figure)).toEqual(['6', '6', '6']);
    expect(results.find((r) => r.ordering.id === 'dirty-blanket-grows')!.holds).toBe(true);
    expect(results.find((r) => r.ordering.id === 'dirty-vmbeam-flat')).toMatchObject({ observed: undefined, holds: false });
  });

  it('labels the section as a different platform', () => {
    expect(orderingSection({ fig7: [fig7('vmbeam', 5)] }, 'the qemu testbed')).toMatch(/the qemu testbed: a different platform/);
    expect(orderingSection({}, 'x')).toBeUndefined();
  });
});
