// npm run bench:sdk: what Vigil's instrumentation costs per call, next to the same call
// instrumented by hand with the bare OpenTelemetry SDK and next to no instrumentation.
//
// Each runner process (sdk-run.ts) sets up all three variants and runs them in alternating blocks;
// the median block of each variant over all processes counts. Spans are exported for real (OTLP
// protobuf over HTTP) to a sink in this process.
// Last line: sdk overhead_us=<vigil − none> bare_otel_us=<bare − none> ratio=<overhead/bare>

import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const CALLS_PER_BLOCK = Number(process.env.BENCH_SDK_CALLS_PER_BLOCK ?? 2_000);
const BLOCKS = Number(process.env.BENCH_SDK_BLOCKS ?? 40);
const PROCESSES = Number(process.env.BENCH_SDK_PROCESSES ?? 3);
const VARIANTS = ['none', 'bare', 'vigil'] as const;
type Variant = (typeof VARIANTS)[number];
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

log(
  `${PROCESSES} processes × ${BLOCKS} blocks × ${CALLS_PER_BLOCK} calls per variant (a model call with a cache lookup and a db query inside), variants alternating within each process`,
);
const results: Record<Variant, number[]> = { none: [], bare: [], vigil: [] };
for (let run = 0; run < PROCESSES; run++) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [RUNNER, sinkUrl, String(CALLS_PER_BLOCK), String(BLOCKS)],
    { timeout: 600_000 },
  );
  const blocks = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<Variant, number[]>;
  for (const variant of VARIANTS) results[variant].push(...blocks[variant]);
  log(`process ${run + 1}: median block ${VARIANTS.map((v) => `${v} ${median(blocks[v]).toFixed(2)} µs`).join(', ')}`);
}
sink.close();

const [none, bare, vigil] = VARIANTS.map((v) => median(results[v]));
const overhead = vigil! - none!;
const bareOverhead = bare! - none!;
log(
  `medians: uninstrumented ${none!.toFixed(2)} µs, bare OTel ${bare!.toFixed(2)} µs, Vigil ${vigil!.toFixed(2)} µs per call; ${(exportedBytes / 1e6).toFixed(1)} MB exported`,
);
console.log(
  `sdk overhead_us=${overhead.toFixed(2)} bare_otel_us=${bareOverhead.toFixed(2)} ratio=${(overhead / bareOverhead).toFixed(3)}`,
);
