import { describe, expect, it } from 'vitest';
import { calibrationObjective, FITTED } from '../../harness/calibrate/fit.ts';
import { PAPER_PARAMETERS } from '../../harness/backends/sim/parameters.ts';

describe('calibration fit', () => {
  it('keeps the committed calibration constants at the optimum of the fit', () => {
    const committed = calibrationObjective(PAPER_PARAMETERS);
    for (const [name, constant] of Object.entries(FITTED)) {
      for (const factor of [0.95, 1.05]) {
        const moved = calibrationObjective(constant.set(PAPER_PARAMETERS, constant.get(PAPER_PARAMETERS) * factor));
        expect(moved, `${name} x${factor} fits the paper better: run 'npm run fit'`).toBeGreaterThan(committed);
      }
    }
  });
});
