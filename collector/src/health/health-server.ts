// Starts the health thread (health-worker.ts) and keeps its view of ingest current.

import { Worker } from 'node:worker_threads';
import { HEARTBEAT_MS, HealthState } from './health-state.ts';

export interface HealthSource {
  queueSpans(): number;
  databaseAvailable(): boolean;
  restarts: number;
}

export interface RunningHealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  host: string,
  port: number,
  source: HealthSource,
): Promise<RunningHealthServer> {
  const state = new HealthState();
  const write = () =>
    state.write({
      queueSpans: source.queueSpans(),
      databaseAvailable: source.databaseAvailable(),
      restarts: source.restarts,
    });
  write();
  const heartbeat = setInterval(write, HEARTBEAT_MS);
  heartbeat.unref();
  const worker = new Worker(new URL('./health-worker.ts', import.meta.url), {
    workerData: { buffer: state.buffer, host, port },
  });
  worker.unref();
  try {
    const listening = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port: number }) => resolve(message.port));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the health thread exited (code ${code})`)));
    });
    return {
      port: listening,
      close: async () => {
        clearInterval(heartbeat);
        await worker.terminate();
      },
    };
  } catch (error) {
    clearInterval(heartbeat);
    await worker.terminate();
    throw error;
  }
}
