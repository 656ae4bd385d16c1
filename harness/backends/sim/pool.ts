import { Worker } from 'node:worker_threads';
import type { MigrationPoint } from '../../experiment.ts';
import type { MigrationMeasurement, ServiceMeasurement } from '../backend.ts';
import type { SimParameters } from './parameter-types.ts';
import type { SimReply, SimRequest, SimWorkerData } from './worker.ts';

type SimResult = MigrationMeasurement | ServiceMeasurement;

interface Pending {
  readonly resolve: (result: SimResult) => void;
  readonly reject: (error: Error) => void;
}

/** Simulates migrations on worker threads, one at a time per worker. */
export class SimWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: SimRequest[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly workers: Worker[] = [];
  private nextId = 0;

  constructor(size: number, parameters: SimParameters) {
    const workerData: SimWorkerData = { parameters };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData });
      worker.on('message', (reply: SimReply) => this.settle(worker, reply));
      worker.on('error', (error) => this.failAll(error));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  simulate(kind: 'migration', point: MigrationPoint, seed: number): Promise<MigrationMeasurement>;
  simulate(kind: 'service', point: MigrationPoint, seed: number): Promise<ServiceMeasurement>;
  simulate(kind: SimRequest['kind'], point: MigrationPoint, seed: number): Promise<SimResult> {
    return new Promise((resolve, reject) => {
      const request: SimRequest = { id: this.nextId++, kind, point, seed };
      this.pending.set(request.id, { resolve, reject });
      this.queue.push(request);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      this.idle.pop()!.postMessage(this.queue.shift()!);
    }
  }

  private settle(worker: Worker, reply: SimReply): void {
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.idle.push(worker);
    if (pending !== undefined) {
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.result);
    }
    this.dispatch();
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
