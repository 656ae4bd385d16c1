import { parentPort, workerData } from 'node:worker_threads';
import type { MigrationPoint } from '../../experiment.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import type { SimParameters } from './parameter-types.ts';
import { simulateMigration, simulateService } from './simulate.ts';

/** What a worker is started with: the profile's parameters, for every request it serves. */
export interface SimWorkerData {
  readonly parameters: SimParameters;
}

const { parameters } = workerData as SimWorkerData;

export interface SimRequest {
  readonly id: number;
  readonly kind: 'migration' | 'service';
  readonly point: MigrationPoint;
  readonly seed: number;
}

export type SimReply =
  | { readonly id: number; readonly result: MigrationMeasurement | ServiceMeasurement }
  | { readonly id: number; readonly error: string };

parentPort?.on('message', (request: SimRequest) => {
  let reply: SimReply;
  try {
    const result =
      request.kind === 'migration'
        ? simulateMigration(request.point, request.seed, parameters)
        : simulateService(request.point, request.seed, parameters);
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
