import type { FigureId, MigrationExperiment } from '../harness/experiment.ts';
import { fig2 } from './fig2.ts';
import { fig3 } from './fig3.ts';
import { fig4 } from './fig4.ts';
import { fig5 } from './fig5.ts';
import { fig6 } from './fig6.ts';
import { fig7 } from './fig7.ts';
import { alternatives } from './alternatives.ts';

/** Every experiment the harness knows, keyed by figure, in the paper's order, then what goes beyond it. */
export const EXPERIMENTS: Readonly<Record<FigureId, MigrationExperiment>> = {
  '2': fig2,
  '3': fig3,
  '4': fig4,
  '5': fig5,
  '6': fig6,
  '7': fig7,
  alternatives,
};

export const DEFAULT_SEED = 1;
