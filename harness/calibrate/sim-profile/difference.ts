/**
 * What one entry of the host profile is: a difference between the paper's
 * testbed and the qemu testbed on this host, with where each value comes
 * from, and how to apply the host's value to SimParameters. The helpers
 * the entries share live here too.
 */
import { measuredTestbed, type HostProfile, type MeasuredTestbed } from '../profile.ts';
import type { MigrationPolicy } from '../../backends/qemu/types.ts';
import type { SimParameters } from '../../backends/sim/parameter-types.ts';
import { PAPER_SYSTEMS, type PaperSystemName } from '../../systems.ts';

export type PrecopySystem = Exclude<PaperSystemName, 'vmbeam'>;
export const PRECOPY_SYSTEMS = PAPER_SYSTEMS.filter((system): system is PrecopySystem => system !== 'vmbeam');

/** What the host profile is built from. */
export interface HostInputs {
  readonly profile: HostProfile;
  readonly testbed: MeasuredTestbed;
  /** The qemu testbed's --policy: `xen` emulates Xen 4.2.2's stop rules, `qemu` leaves QEMU's. */
  readonly policy: MigrationPolicy;
  /** The qemu testbed's --timeout: a migration still running then is cancelled. */
  readonly timeoutS: number;
}

export function hostInputs(profile: HostProfile, label: string, policy: MigrationPolicy, timeoutS: number): HostInputs {
  return { profile, testbed: measuredTestbed(profile, label), policy, timeoutS };
}

/** One difference between the profiles, rendered for reports and run.json. */
export interface ProfileDifference {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paperSource: string;
  readonly hostSource: string;
  /** Parameter paths this entry sets (`*` stands for any one key). */
  readonly paths: readonly string[];
  paperValue(parameters: SimParameters): string;
  hostValue(inputs: HostInputs): string;
  apply(parameters: SimParameters, inputs: HostInputs): SimParameters;
}

interface DifferenceSpec<T> {
  readonly id: string;
  readonly what: string;
  readonly unit: string;
  readonly paperSource: string;
  readonly hostSource: string;
  readonly paths: readonly string[];
  readonly paper: (parameters: SimParameters) => T;
  readonly host: (inputs: HostInputs) => T;
  readonly apply: (parameters: SimParameters, value: T) => SimParameters;
  readonly format: (value: T) => string;
}

export function difference<T>(spec: DifferenceSpec<T>): ProfileDifference {
  return {
    id: spec.id,
    what: spec.what,
    unit: spec.unit,
    paperSource: spec.paperSource,
    hostSource: spec.hostSource,
    paths: spec.paths,
    paperValue: (parameters) => spec.format(spec.paper(parameters)),
    hostValue: (inputs) => spec.format(spec.host(inputs)),
    apply: (parameters, inputs) => spec.apply(parameters, spec.host(inputs)),
  };
}

export function perSystem<T>(value: (system: PrecopySystem) => T): Record<PrecopySystem, T> {
  return Object.fromEntries(PRECOPY_SYSTEMS.map((system) => [system, value(system)])) as Record<PrecopySystem, T>;
}

export function withPaths(parameters: SimParameters, change: (system: PrecopySystem) => Partial<SimParameters['precopyPaths'][PrecopySystem]>): SimParameters {
  return {
    ...parameters,
    precopyPaths: perSystem((system) => ({ ...parameters.precopyPaths[system], ...change(system) })),
  };
}

export const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'none');
export const perSystemText = (format: (value: number) => string) => (values: Readonly<Record<string, number>>) =>
  Object.entries(values)
    .map(([system, value]) => `${system} ${format(value)}`)
    .join(', ');
export const ms = (seconds: number) => (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1);
