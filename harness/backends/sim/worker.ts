import { parentPort } from 'node:worker_threads';
import type { MigrationPoint } from '../../experiment.ts';
import { simulateMigration } from './simulate.ts';

export interface SimRequest {
  readonly id: number;
  readonly point: MigrationPoint;
  readonly seed: number;
}

export type SimReply =
  | { readonly id: number; readonly measurement: ReturnType<typeof simulateMigration> }
  | { readonly id: number; readonly error: string };

parentPort?.on('message', (request: SimRequest) => {
  let reply: SimReply;
  try {
    reply = { id: request.id, measurement: simulateMigration(request.point, request.seed) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
