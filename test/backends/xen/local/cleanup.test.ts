import { describe, expect, it } from 'vitest';
import { cleanupAll, NAMESPACE_PREFIX, ownerOf, registerTeardown } from '../../../../harness/backends/xen/local/cleanup.ts';

describe('the local testbed safety net', () => {
  it('reads the owner pid only from namespaces of its own naming', () => {
    expect(ownerOf(`${NAMESPACE_PREFIX}4242`)).toBe(4242);
    expect(ownerOf('vmbeam-qemu-4242-x')).toBeUndefined();
    expect(ownerOf(`${NAMESPACE_PREFIX}4242-b`)).toBeUndefined();
  });

  it('runs every registered teardown once, even when one throws, and forgets unregistered ones', () => {
    const ran: string[] = [];
    registerTeardown(() => {
      ran.push('a');
      throw new Error('boom');
    });
    const unregister = registerTeardown(() => ran.push('gone'));
    registerTeardown(() => ran.push('b'));
    unregister();
    cleanupAll();
    cleanupAll();
    expect(ran).toEqual(['a', 'b']);
  });
});
