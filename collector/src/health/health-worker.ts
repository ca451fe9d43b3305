// The health endpoint on its own thread and port (as the OpenTelemetry Collector's health_check
// extension is), so a probe is answered at once however busy ingest is. It reads the ingest
// thread's state from shared memory; an ingest event loop that has not written its heartbeat for
// STALLED_MS is reported as stalled (503), which the endpoint on the ingest port could never say.

import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { isValidHostHeader } from '@vigil/core';
import { HealthState, STALLED_MS } from './health-state.ts';

const { buffer, host, port } = workerData as { buffer: SharedArrayBuffer; host: string; port: number };
const state = new HealthState(buffer);

const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  const json = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };
  if (!isValidHostHeader(request.headers.host)) return json(400, { message: 'invalid Host header' });
  if (path !== '/healthz' || (request.method !== 'GET' && request.method !== 'HEAD'))
    return json(404, { message: 'the health endpoint is GET /healthz' });
  const now = state.read();
  const eventLoopDelayMs = Math.max(0, Date.now() - now.heartbeatMs);
  const status = eventLoopDelayMs > STALLED_MS ? 'stalled' : now.databaseAvailable ? 'ok' : 'database_unavailable';
  json(status === 'ok' ? 200 : 503, {
    status,
    queueSpans: now.queueSpans,
    eventLoopDelayMs: Math.round(eventLoopDelayMs),
    restarts: now.restarts,
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  const address = server.address();
  parentPort!.postMessage({ port: typeof address === 'object' && address ? address.port : port });
});
