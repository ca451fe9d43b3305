// The health endpoint runs on its own thread and port: it answers while the ingest event loop is
// busy, and says "stalled" when that loop has been stuck for seconds (which an endpoint on the
// ingest thread could never answer).

import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALLED_MS } from '../src/health/health-state.ts';
import { startTestCollector, type TestCollector } from './harness.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
});
afterAll(() => t.close());

describe('the health thread', () => {
  it('reports ok with the queue on its own port', async () => {
    const response = await fetch(`${t.collector.healthUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', queueSpans: 0, restarts: 0 });
    expect(new URL(t.collector.healthUrl).port).not.toBe(new URL(t.url).port);
  });

  it('answers while the ingest thread is blocked, and reports it stalled', async () => {
    // A prober on another thread, polling while this (the ingest) thread is blocked.
    const prober = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const answers = [];
       (async () => {
         for (let i = 0; i < 200 && !answers.some((a) => a.status === 'stalled'); i++) {
           const response = await fetch(workerData + '/healthz');
           answers.push({ code: response.status, ...(await response.json()) });
           await new Promise((r) => setTimeout(r, 100));
         }
         parentPort.postMessage(answers);
       })();`,
      { eval: true, workerData: t.collector.healthUrl },
    );
    const answers = new Promise<{ code: number; status: string }[]>((resolve) => prober.once('message', resolve));
    const blockedUntil = Date.now() + STALLED_MS + 1500;
    while (Date.now() < blockedUntil) {
      // busy: no timers, no I/O on this thread
    }
    const seen = await answers;
    await prober.terminate();
    expect(seen.find((a) => a.status === 'stalled')).toMatchObject({ code: 503, status: 'stalled' });
    const after = await fetch(`${t.collector.healthUrl}/healthz`);
    expect(after.status).toBe(200);
  }, 30_000);
});
