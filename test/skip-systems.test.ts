import { describe, expect, it } from 'vitest';
import { fig2 } from '../experiments/fig2.ts';
import { fig6 } from '../experiments/fig6.ts';
import { restrictToSystems, skipLine } from '../harness/skip-systems.ts';

describe('systems a testbed does not run', () => {
  it('are dropped from every experiment and named once, in the order first met', () => {
    const { experiments, skipped } = restrictToSystems([fig2, fig6], ['xen-nest', 'xen-blanket']);
    expect(experiments.map((experiment) => experiment.systems)).toEqual([
      ['xen-nest', 'xen-blanket'],
      ['xen-nest', 'xen-blanket'],
    ]);
    expect(skipped).toEqual(['vmbeam', 'xen-nest-nocipher', 'xen-blanket-nocipher', 'physical']);
    expect(skipLine(skipped, 'xen')).toBe('skipping vmbeam, xen-nest-nocipher, xen-blanket-nocipher, physical: not on this xen testbed');
  });

  it('are none when the backend runs everything', () => {
    expect(restrictToSystems([fig2], undefined)).toEqual({ experiments: [fig2], skipped: [] });
  });
});
