import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activeTestbeds } from '../../../harness/backends/qemu/cleanup.ts';
import { onFreshTestbed } from '../../../harness/backends/qemu/testbed.ts';

describe('onFreshTestbed', () => {
  it('returns what the work returns and removes the testbed', async () => {
    let dir = '';
    const value = await onFreshTestbed('test run', async (testbed) => {
      dir = testbed.dir;
      expect(existsSync(dir)).toBe(true);
      return 42;
    });
    expect(value).toBe(42);
    expect(existsSync(dir)).toBe(false);
    expect(activeTestbeds()).toBe(0);
  });

  it('rethrows the work error itself and still removes the testbed', async () => {
    let dir = '';
    const failure = new Error('migration failed: Unable to write to socket');
    await expect(
      onFreshTestbed('test run', async (testbed) => {
        dir = testbed.dir;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(existsSync(dir)).toBe(false);
    expect(activeTestbeds()).toBe(0);
  });
});
