// The load generator: a separate process with several concurrent exporters that post prepared
// OTLP protobuf requests over loopback keep-alive connections, retrying 429/503 after Retry-After
// exactly as OTel exporters do. Prints one JSON line with its timings.
//
// usage: node collector/bench/send.ts <requests-file> <collector-url> <key> <concurrency>

import http from 'node:http';
import { readRequestFile } from './request-file.ts';

const [file, url, key, concurrencyText] = process.argv.slice(2);
if (!file || !url || !key) {
  console.error('usage: send.ts <requests-file> <collector-url> <key> <concurrency>');
  process.exit(2);
}
const concurrency = Number(concurrencyText ?? 8);

const requests = readRequestFile(file);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL('/v1/traces', url);

function post(body: Buffer): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve, reject) => {
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
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 1) }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

let next = 0;
let retries = 0;
let failures = 0;
async function exporter(): Promise<void> {
  while (next < requests.length) {
    const body = requests[next++]!;
    for (let attempt = 0; ; attempt++) {
      const { status, retryAfter } = await post(body);
      if (status === 200) break;
      if ((status === 429 || status === 503) && attempt < 50) {
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
agent.destroy();
const usage = process.resourceUsage();
const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
console.log(JSON.stringify({ requests: requests.length, elapsedMs, retries, failures, cpuS }));
