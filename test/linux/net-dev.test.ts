import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNetDev } from '../../harness/linux/net-dev.ts';

describe('/proc/net/dev', () => {
  it('reads the byte counters of one interface from a Xen Dom0 snapshot', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'xen', 'proc-net-dev.txt'), 'utf8');
    expect(parseNetDev(text, 'eth0')).toEqual({ rxBytes: 8814301, txBytes: 12093114 });
    expect(parseNetDev(text, 'lo')).toEqual({ rxBytes: 52214, txBytes: 52214 });
    expect(parseNetDev(text, 'eth1')).toBeUndefined();
  });

  it('reads a veth of the testbed, whose name fills the interface column', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
      'vb12r1s: 1234567    100    0    0    0     0          0         0  7654321     200    0    0    0     0       0          0',
    ].join('\n');
    expect(parseNetDev(text, 'vb12r1s')).toEqual({ rxBytes: 1_234_567, txBytes: 7_654_321 });
    expect(parseNetDev(text, 'vb12r1')).toBeUndefined();
  });

  it('rejects a truncated or garbled line rather than guessing', () => {
    expect(parseNetDev('eth0: 1 2 3 4 5 6 7 8 9', 'eth0')).toBeUndefined();
    expect(parseNetDev('eth0: 1 2 3 4 5 6 7 8 x 10 11 12 13 14 15 16', 'eth0')).toBeUndefined();
  });
});
