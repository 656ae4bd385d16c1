/** `npm run fit`: refit the simulator's calibration constants to the paper's Fig. 2(a) and 3 statements, and print them beside the committed ones. */
export async function fit(): Promise<number> {
  const { calibrationObjective, fitCalibration, FITTED } = await import('../calibrate/fit.ts');
  const { PAPER_PARAMETERS } = await import('../backends/sim/parameters.ts');
  const { parameters, objective } = fitCalibration(PAPER_PARAMETERS, 0.0005);
  console.log(`objective (sum of squared log errors): committed ${calibrationObjective(PAPER_PARAMETERS).toFixed(5)}, fitted ${objective.toFixed(5)}`);
  for (const [name, constant] of Object.entries(FITTED)) {
    console.log(`${name.padEnd(16)} committed ${constant.get(PAPER_PARAMETERS).toPrecision(4).padStart(10)}  fitted ${constant.get(parameters).toPrecision(4).padStart(10)}`);
  }
  return 0;
}
