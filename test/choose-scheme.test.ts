import { describe, expect, it } from 'vitest';
import { chooseScheme, PRECOPY_CONVERGES_BELOW_LINK_SHARE } from '../harness/choose-scheme.ts';

const link = 3000;

describe('chooseScheme', () => {
  it('takes zero-copy only when the destination is on the same host and reaches the memory', () => {
    expect(chooseScheme({ sameHost: true, sharedMemoryReachable: true, linkPagesPerS: link, dirtyPagesPerS: 9000 }).system).toBe('vmbeam');
    expect(chooseScheme({ sameHost: true, sharedMemoryReachable: false, linkPagesPerS: link, dirtyPagesPerS: 100 }).system).not.toBe('vmbeam');
    expect(chooseScheme({ sameHost: false, sharedMemoryReachable: true, linkPagesPerS: link, dirtyPagesPerS: 100 }).system).not.toBe('vmbeam');
  });

  it('keeps plain pre-copy while the guest dirties less than half the link, post-copy from there on', () => {
    const below = link * PRECOPY_CONVERGES_BELOW_LINK_SHARE - 1;
    const at = link * PRECOPY_CONVERGES_BELOW_LINK_SHARE;
    expect(chooseScheme({ sameHost: false, sharedMemoryReachable: false, linkPagesPerS: link, dirtyPagesPerS: below }).system).toBe('precopy-qemu');
    expect(chooseScheme({ sameHost: false, sharedMemoryReachable: false, linkPagesPerS: link, dirtyPagesPerS: at }).system).toBe('postcopy');
  });

  it('says why, with the rates it weighed', () => {
    const { reason } = chooseScheme({ sameHost: true, sharedMemoryReachable: false, linkPagesPerS: link, dirtyPagesPerS: 4000 });
    expect(reason).toContain('hidden');
    expect(reason).toContain('4000 dirty pages/s');
    expect(reason).toContain('3000 pages/s');
  });
});
