import { describe, expect, it } from 'vitest';
import { LINK_PROFILES, linkRateBytesPerS } from '../../../harness/backends/qemu/link-profiles.ts';
import { PAPER_SYSTEMS } from '../../../harness/systems.ts';

describe('link profiles', () => {
  it('has one profile per system with the paper rates', () => {
    expect(Object.keys(LINK_PROFILES).sort()).toEqual([...PAPER_SYSTEMS].sort());
    expect(LINK_PROFILES['xen-nest'].rateMbitPerS).toBe(100);
    expect(LINK_PROFILES['xen-blanket'].rateMbitPerS).toBe(300);
    expect(LINK_PROFILES.physical.rateMbitPerS).toBe(1000);
    expect(linkRateBytesPerS(LINK_PROFILES['xen-nest'])).toBe(12_500_000);
  });

  it('gives nocipher variants their parent rate over plain TCP', () => {
    expect(LINK_PROFILES['xen-nest-nocipher'].rateMbitPerS).toBe(LINK_PROFILES['xen-nest'].rateMbitPerS);
    expect(LINK_PROFILES['xen-blanket-nocipher'].rateMbitPerS).toBe(LINK_PROFILES['xen-blanket'].rateMbitPerS);
    expect(LINK_PROFILES['xen-nest-nocipher'].transport).toBe('tcp');
    expect(LINK_PROFILES['xen-nest'].transport).toBe('ssh');
  });

  it('runs vmbeam zero-copy over the xen-nest link', () => {
    expect(LINK_PROFILES.vmbeam.zeroCopy).toBe(true);
    expect(LINK_PROFILES.vmbeam.rateMbitPerS).toBe(LINK_PROFILES['xen-nest'].rateMbitPerS);
    expect(PAPER_SYSTEMS.filter((system) => LINK_PROFILES[system].zeroCopy)).toEqual(['vmbeam']);
  });
});
