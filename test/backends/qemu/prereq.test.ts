import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGES } from '../../../harness/backends/qemu/prereq.ts';

describe('Debian packages of the qemu testbed', () => {
  it('are the ones install-packages.sh installs', () => {
    const script = readFileSync(join(import.meta.dirname, '../../../harness/backends/qemu/install-packages.sh'), 'utf8');
    const line = /^PACKAGES="([^"]*)"/m.exec(script);
    expect(line?.[1]?.split(/\s+/).sort()).toEqual([...DEBIAN_PACKAGES].sort());
    expect(DEBIAN_PACKAGES).toContain('httperf');
  });
});
