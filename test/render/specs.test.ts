import { describe, expect, it } from 'vitest';
import { guestSizeLabel, provenanceLabel } from '../../harness/labels.ts';
import { fig4Charts } from '../../harness/render/specs.ts';
import type { Fig4Row } from '../../harness/results/tables.ts';

const fig4Row = (backend: string, memoryMb: number): Fig4Row => ({
  backend,
  system: 'vmbeam',
  memory_mb: memoryMb,
  rep: 1,
  status: 'ok',
  error: undefined,
  cpu_time_s: 1,
  mean_cpu_utilization_pct: 50,
});

describe('chart titles', () => {
  it('names the guest size the rows were measured with', () => {
    expect(guestSizeLabel([{ memory_mb: 4096 }])).toBe(', 4 GB guest');
    expect(guestSizeLabel([{ memory_mb: undefined }, { memory_mb: 256 }])).toBe(', 256 MB guest');
    expect(guestSizeLabel([])).toBe('');
  });

  it('calls simulator results predictions and testbed results nothing of the kind', () => {
    expect(provenanceLabel([{ backend: 'sim' }])).toBe(' (prediction)');
    expect(provenanceLabel([{ backend: 'qemu' }])).toBe('');
    expect(provenanceLabel([])).toBe('');
  });

  it('titles a qemu Fig. 4 by its own guest, not the paper scale', () => {
    const [cpuOverTime] = fig4Charts([fig4Row('qemu', 512)], []);
    expect(JSON.stringify(cpuOverTime?.spec)).toContain('Dom0, 512 MB guest"');
    const [simulated] = fig4Charts([fig4Row('sim', 4096)], []);
    expect(JSON.stringify(simulated?.spec)).toContain('4 GB guest (prediction)');
  });
});
