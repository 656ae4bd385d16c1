/**
 * The simulator's two profiles and EVERYTHING that differs between them, in
 * one list. `paper` is the paper's nested-Xen testbed as modelled
 * (backends/sim/parameters.ts, PAPER_PARAMETERS). `host` is the qemu testbed on this
 * machine (docs/qemu-testbed.md): the same model with the mechanisms that
 * differ switched and the hardware-dependent constants taken from the
 * measured host profile (npm run calibrate) and the testbed's own link
 * profiles and policy. Nothing here is fitted to the testbed's results:
 * each host value is a measurement of this host, a constant of the code the
 * testbed runs (QEMU 7.2, OpenSSH 9.2, Linux, the harness's own qemu
 * backend), or an assumption stated as such.
 *
 * hostParameters() applies every entry of PROFILE_DIFFERENCES to
 * PAPER_PARAMETERS and nothing else; a test checks that every parameter
 * the two profiles disagree on is claimed by an entry.
 *
 * The derivation lives here, above the backends, because its inputs do (the
 * calibrated host profile, the qemu backend's link profiles and policy);
 * the sim backend only ever receives the SimParameters it yields.
 */
import { PAPER_PARAMETERS } from '../../backends/sim/parameters.ts';
import type { SimParameters } from '../../backends/sim/parameter-types.ts';
import { CPU_DIFFERENCES, unattributedCpu } from './cpu.ts';
import type { HostInputs, ProfileDifference } from './difference.ts';
import { MECHANISM_DIFFERENCES } from './mechanisms.ts';

export { hostInputs, type HostInputs, type ProfileDifference } from './difference.ts';

const MEASURED_DIFFERENCES = [...MECHANISM_DIFFERENCES, ...CPU_DIFFERENCES];

export const PROFILE_DIFFERENCES: readonly ProfileDifference[] = [...MEASURED_DIFFERENCES, unattributedCpu(MEASURED_DIFFERENCES)];

/** The paper's parameters with every listed difference applied, and nothing else. */
export function hostParameters(inputs: HostInputs): SimParameters {
  return PROFILE_DIFFERENCES.reduce((parameters, entry) => entry.apply(parameters, inputs), PAPER_PARAMETERS);
}

export interface DifferenceRow {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paper: string;
  readonly host: string;
  readonly paperSource: string;
  readonly hostSource: string;
}

/** Every difference with both values, for run.json and the report. */
export function differenceRows(inputs: HostInputs): DifferenceRow[] {
  return PROFILE_DIFFERENCES.map((entry) => ({
    id: entry.id,
    what: entry.what,
    unit: entry.unit,
    paper: entry.paperValue(PAPER_PARAMETERS),
    host: entry.hostValue(inputs),
    paperSource: entry.paperSource,
    hostSource: entry.hostSource,
  }));
}
