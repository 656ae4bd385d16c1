/**
 * The calibration fit: which values of the "calibration" constants make the
 * simulator agree best with the paper's statements about Figs. 2(a) and 3.
 * The objective is the sum of squared log-ratios of reproduced to stated
 * values (so a 10 % miss on a ratio counts like a 10 % miss on a time).
 * Downtime constants are read off Fig. 2(b) directly and are not fitted.
 * It lives above the backends because its inputs do: the experiments, the
 * paper's statements (report/calibration.ts) and the row builders of a run.
 */
import { EXPERIMENTS } from '../../experiments/index.ts';
import type { SimParameters } from '../backends/sim/parameter-types.ts';
import { simulateMigration } from '../backends/sim/simulate.ts';
import { expandPoints, type MigrationPoint } from '../experiment.ts';
import { compareWithPaper } from '../report/calibration.ts';
import { fig2Rows, fig3Rows } from '../rows.ts';
import type { Outcome } from '../runner.ts';

/** The constants the fit may move, with how to read and replace each. */
export const FITTED = {
  precopySetupS: {
    get: (p: SimParameters) => p.precopySetupS,
    set: (p: SimParameters, v: number): SimParameters => ({ ...p, precopySetupS: v }),
  },
  zeroCopySetupS: {
    get: (p: SimParameters) => p.zeroCopy.setupS,
    set: (p: SimParameters, v: number): SimParameters => ({ ...p, zeroCopy: { ...p.zeroCopy, setupS: v } }),
  },
  sharePerPageS: {
    get: (p: SimParameters) => p.zeroCopy.sharePerPageS,
    set: (p: SimParameters, v: number): SimParameters => ({ ...p, zeroCopy: { ...p.zeroCopy, sharePerPageS: v } }),
  },
  sshCipherMbps: stage('sshCipher'),
  emulatedNicMbps: stage('emulatedNic'),
  blanketIpcMbps: stage('blanketIpc'),
} as const;

export type FittedName = keyof typeof FITTED;

function stage(name: keyof SimParameters['stageThroughputMbps']) {
  return {
    get: (p: SimParameters) => p.stageThroughputMbps[name],
    set: (p: SimParameters, v: number): SimParameters => ({
      ...p,
      stageThroughputMbps: { ...p.stageThroughputMbps, [name]: v },
    }),
  };
}

/** Sum of squared log errors over the value statements of Figs. 2(a) and 3 (one repetition: idle guests are deterministic). */
export function calibrationObjective(parameters: SimParameters): number {
  // The rows a run would write, through the same row builders.
  const rowsOf = <Row>(figure: '2' | '3', build: (point: MigrationPoint, outcome: Outcome) => Row[]): Row[] =>
    expandPoints(EXPERIMENTS[figure]).flatMap((point) =>
      build(point, { kind: 'migration', status: 'ok', measurement: simulateMigration(point, 1, parameters) }),
    );
  const fig2 = rowsOf('2', (point, outcome) => fig2Rows.rows('sim', point, 1, outcome));
  const fig3 = rowsOf('3', (point, outcome) => fig3Rows.rows('sim', point, 1, outcome));
  let objective = 0;
  for (const comparison of compareWithPaper(fig2, fig3)) {
    const { statement, reproduced } = comparison;
    if (statement.figure === '2b' || !('value' in statement.expect) || reproduced === undefined || !('value' in reproduced)) continue;
    objective += Math.log(reproduced.value / statement.expect.value) ** 2;
  }
  return objective;
}

/** Coordinate descent in log space from `start`, shrinking the step until it is below `tolerance`. */
export function fitCalibration(start: SimParameters, tolerance = 0.002): { parameters: SimParameters; objective: number } {
  let parameters = start;
  let objective = calibrationObjective(parameters);
  for (let step = 0.2; step > tolerance; step /= 2) {
    let improved = true;
    while (improved) {
      improved = false;
      for (const constant of Object.values(FITTED)) {
        for (const factor of [Math.exp(step), Math.exp(-step)]) {
          const candidate = constant.set(parameters, constant.get(parameters) * factor);
          const value = calibrationObjective(candidate);
          if (value < objective) {
            parameters = candidate;
            objective = value;
            improved = true;
          }
        }
      }
    }
  }
  return { parameters, objective };
}
