import { describe, expect, it } from 'vitest';
import { checkLocalPrerequisites } from '../../../../harness/backends/xen/local/prereq.ts';

describe('prerequisites of the local xen testbed', () => {
  it('says root is needed, in one line', () => {
    const message = checkLocalPrerequisites(false, () => true)!;
    expect(message).toMatch(/needs root/);
    expect(message).not.toContain('\n');
  });

  it('names the missing packages and npm run setup:xen', () => {
    const message = checkLocalPrerequisites(true, (path) => !path.includes('xen') && !path.includes('dropbear'))!;
    expect(message).toContain('xen-hypervisor-4.17-amd64');
    expect(message).toContain('xen-utils-4.17');
    expect(message).toContain('dropbear-bin');
    expect(message).toContain('npm run setup:xen');
  });
});
