/** The simulator with the host profile: this machine's qemu testbed, measured by `npm run calibrate`. */
import { availableParallelism } from 'node:os';
import { SimBackend } from '../backends/sim/backend.ts';
import type { SimParameters } from '../backends/sim/parameter-types.ts';
import type { DifferenceRow } from '../calibrate/sim-profile/index.ts';
import type { MeasuredTestbed } from '../calibrate/profile.ts';
import type { Policy } from './backends.ts';
import { EnvironmentError } from './context.ts';

export interface HostSimulation {
  readonly backend: SimBackend;
  readonly parameters: SimParameters;
  readonly differences: readonly DifferenceRow[];
  readonly testbed: MeasuredTestbed;
}

/** The host profile's parameters, or a one-line error saying to run npm run calibrate. */
export async function loadHostProfile(hostProfilePath: string, policy: Policy, timeoutS: number) {
  const { HostProfileError, readHostProfile } = await import('../calibrate/profile.ts');
  const { differenceRows, hostInputs, hostParameters } = await import('../calibrate/sim-profile/index.ts');
  try {
    const inputs = hostInputs(readHostProfile(hostProfilePath), hostProfilePath, policy, timeoutS);
    return { inputs, parameters: hostParameters(inputs), differences: differenceRows(inputs) };
  } catch (error) {
    if (error instanceof HostProfileError) throw new EnvironmentError(error.message);
    throw error;
  }
}

/** The simulator with the host profile: the measured host, the qemu testbed's policy and timeout. */
export async function hostSimulation(hostProfilePath: string, policy: Policy, timeoutS: number): Promise<HostSimulation> {
  const { inputs, parameters, differences } = await loadHostProfile(hostProfilePath, policy, timeoutS);
  const backend = new SimBackend({
    workers: availableParallelism(),
    profile: { name: 'host', parameters, describe: { hostProfile: hostProfilePath, policy, timeoutS, differences } },
  });
  return { backend, parameters, differences, testbed: inputs.testbed };
}
