import { availableParallelism } from 'node:os';
import type { MigrationPoint } from '../../experiment.ts';
import type { Backend, MigrationContext, MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import { PAPER_PARAMETERS } from './parameters.ts';
import type { SimParameters } from './parameter-types.ts';
import { SimWorkerPool } from './pool.ts';
import { drawsNothing, expectedWork } from './cost.ts';
import { simulateMigration, simulateService } from './simulate.ts';

const QUEUED_PER_WORKER = 4;

/** `paper`: the paper's testbed as modelled; `host`: the qemu testbed on this host (its parameters come from calibrate/sim-profile/). */
export const SIM_PROFILES = ['paper', 'host'] as const;
export type SimProfileName = (typeof SIM_PROFILES)[number];

export interface SimOptions {
  /** Worker threads to simulate on; 0 simulates on the calling thread. */
  readonly workers: number;
  /** Which testbed the parameters model; the paper's by default. */
  readonly profile?: { readonly name: SimProfileName; readonly parameters: SimParameters; readonly describe?: Record<string, unknown> };
}

/**
 * The simulator: a model of the paper's testbed, no I/O. Migrations are
 * independent and deterministic in their seed, so they run on all cores.
 */
export class SimBackend implements Backend {
  readonly name = 'sim' as const;
  static readonly FIGURES = ['2', '3', '4', '5', '6', '7', 'alternatives'] as const;
  readonly figures = SimBackend.FIGURES;
  readonly concurrency: number;
  private readonly pool: SimWorkerPool | undefined;
  private readonly profile: NonNullable<SimOptions['profile']>;

  constructor(options: SimOptions = { workers: availableParallelism() }) {
    // Keep every worker busy while the runner waits for rows in sweep order.
    this.concurrency = Math.max(1, options.workers * QUEUED_PER_WORKER);
    this.profile = options.profile ?? { name: 'paper', parameters: PAPER_PARAMETERS };
    this.pool = options.workers > 0 ? new SimWorkerPool(options.workers, this.profile.parameters) : undefined;
  }

  async describe(): Promise<Record<string, unknown>> {
    return { profile: this.profile.name, ...this.profile.describe, parameters: this.profile.parameters };
  }

  seedIndependent(point: MigrationPoint): boolean {
    return drawsNothing(point, this.profile.parameters);
  }

  expectedCost(point: MigrationPoint): number {
    return expectedWork(point, this.profile.parameters);
  }

  async migrate(point: MigrationPoint, context: MigrationContext): Promise<MigrationMeasurement> {
    return this.pool === undefined
      ? simulateMigration(point, context.seed, this.profile.parameters)
      : this.pool.simulate('migration', point, context.seed);
  }

  async measureService(point: MigrationPoint, context: MigrationContext): Promise<ServiceMeasurement> {
    return this.pool === undefined
      ? simulateService(point, context.seed, this.profile.parameters)
      : this.pool.simulate('service', point, context.seed);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

