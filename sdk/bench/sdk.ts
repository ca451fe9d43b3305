// npm run bench:sdk: what Vigil's instrumentation costs per call, next to the same call
// instrumented by hand with the bare OpenTelemetry SDK and next to no instrumentation.
//
// Each variant runs in its own process (sdk-run.ts), several rounds in rotating order; the median
// round counts. Spans are exported for real (OTLP protobuf over HTTP) to a sink in this process.
// Last line: sdk overhead_us=<vigil − none> bare_otel_us=<bare − none> ratio=<overhead/bare>

import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const CALLS = Number(process.env.BENCH_SDK_CALLS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS ?? 5);
const VARIANTS = ['none', 'bare', 'vigil'] as const;
const RUNNER = path.join(import.meta.dirname, 'sdk-run.ts');

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let exportedBytes = 0;
const sink = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-protobuf' });
    response.end();
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1/traces`;

log(`${CALLS} calls per run (a model call with a cache lookup and a db query inside), ${ROUNDS} rounds, each variant in its own process`);
const results: Record<(typeof VARIANTS)[number], number[]> = { none: [], bare: [], vigil: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order so that no variant always runs first (or last) in a round.
  const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
  for (const variant of order) {
    const { stdout } = await promisify(execFile)(process.execPath, [RUNNER, variant, sinkUrl, String(CALLS)], { timeout: 300_000 });
    const { nsPerCall } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { nsPerCall: number };
    results[variant].push(nsPerCall / 1000);
  }
  log(`round ${round + 1}: ${VARIANTS.map((v) => `${v} ${results[v].at(-1)!.toFixed(2)} µs`).join(', ')}`);
}
sink.close();

const [none, bare, vigil] = VARIANTS.map((v) => median(results[v]));
const overhead = vigil! - none!;
const bareOverhead = bare! - none!;
log(`medians: uninstrumented ${none!.toFixed(2)} µs, bare OTel ${bare!.toFixed(2)} µs, Vigil ${vigil!.toFixed(2)} µs per call; ${(exportedBytes / 1e6).toFixed(1)} MB exported`);
console.log(`sdk overhead_us=${overhead.toFixed(2)} bare_otel_us=${bareOverhead.toFixed(2)} ratio=${(overhead / bareOverhead).toFixed(3)}`);
