import { describe, expect, it } from 'vitest';
import { extraArgument, waitReadyCommand } from '../../../harness/backends/xen/kernel-workload.ts';

const workload = { extra: 'console=hvc0 rdinit=/init quiet', consoleLog: '/var/log/xen/console/guest-vmbeam.log' };

describe('a guest workload on the kernel command line', () => {
  it('puts the fill and the dirty rate after the configured parameters, as one quoted xl value', () => {
    expect(extraArgument(workload, { fillMb: 64, dirtyMb: 64, dirtyPagesPerS: 1000 })).toBe(
      'extra="console=hvc0 rdinit=/init quiet vmbeam.fill_mb=64 vmbeam.dirty_mb=64 vmbeam.dirty_pages_per_s=1000"',
    );
  });

  it('never asks for negative memory', () => {
    expect(extraArgument(workload, { fillMb: -32, dirtyMb: 0, dirtyPagesPerS: 0 })).toContain('vmbeam.fill_mb=0 ');
  });

  it('waits on the source in one bounded command, for the ready or the error line', () => {
    const command = waitReadyCommand(workload, 240);
    expect(command.slice(0, 3)).toEqual(['timeout', '240', 'sh']);
    expect(command.at(-1)).toBe(workload.consoleLog);
    expect(command[4]).toContain('vmbeam-ready');
    expect(command[4]).toContain('vmbeam-error');
  });
});
