// The load generator: a separate process with several concurrent exporters that send prepared
// OTLP protobuf requests over loopback, retrying exactly what OTel exporters retry: over OTLP/HTTP,
// 429/503 after Retry-After on keep-alive connections; over OTLP/gRPC (a grpc:// target), each
// exporter its own channel, RESOURCE_EXHAUSTED/UNAVAILABLE after the RetryInfo delay (1 s here).
// Prints one JSON line with its timings.
//
// usage: node collector/bench/send.ts <requests-file> <collector-url | grpc://host:port> <key> <concurrency>

import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { TRACE_SERVICE } from '../src/receivers/grpc/server.ts';
import { readRequestFile } from './request-file.ts';

const [file, url, key, concurrencyText] = process.argv.slice(2);
if (!file || !url || !key) {
  console.error('usage: send.ts <requests-file> <collector-url | grpc://host:port> <key> <concurrency>');
  process.exit(2);
}
const concurrency = Number(concurrencyText ?? 8);
const requests = readRequestFile(file);

interface Outcome {
  ok: boolean;
  retryable: boolean;
  retryAfter: number;
}
type Send = (body: Buffer) => Promise<Outcome>;

function httpSender(): { send: Send; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/v1/traces', url);
  const send: Send = (body) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-protobuf',
            'content-length': body.length,
            authorization: `Bearer ${key}`,
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            resolve({
              ok: status === 200,
              retryable: status === 429 || status === 503,
              retryAfter: Number(response.headers['retry-after'] ?? 1),
            });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

const TraceClient = grpc.makeGenericClientConstructor(TRACE_SERVICE, 'TraceService');

/** One channel per exporter, as each OTel gRPC exporter holds its own. */
function grpcSender(): { send: Send; close(): void } {
  const address = url!.slice('grpc://'.length);
  const clients = Array.from(
    { length: concurrency },
    () => new TraceClient(address, grpc.credentials.createInsecure()),
  );
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  let turn = 0;
  const send: Send = (body) =>
    new Promise((resolve) => {
      const client = clients[turn++ % clients.length] as unknown as {
        Export(body: Buffer, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null) => void): void;
      };
      client.Export(body, metadata, (error) =>
        resolve({
          ok: error === null,
          retryable:
            error !== null && (error.code === grpc.status.RESOURCE_EXHAUSTED || error.code === grpc.status.UNAVAILABLE),
          retryAfter: 1,
        }),
      );
    });
  return {
    send,
    close: () => {
      for (const client of clients) client.close();
    },
  };
}

const sender = url.startsWith('grpc://') ? grpcSender() : httpSender();

let next = 0;
let retries = 0;
let failures = 0;
async function exporter(): Promise<void> {
  while (next < requests.length) {
    const body = requests[next++]!;
    for (let attempt = 0; ; attempt++) {
      const { ok, retryable, retryAfter } = await sender.send(body);
      if (ok) break;
      if (retryable && attempt < 50) {
        retries++;
        await new Promise((r) => setTimeout(r, Math.min(retryAfter, 1) * 1000));
        continue;
      }
      failures++;
      break;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, exporter));
const elapsedMs = performance.now() - started;
sender.close();
const usage = process.resourceUsage();
const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
console.log(JSON.stringify({ requests: requests.length, elapsedMs, retries, failures, cpuS }));
