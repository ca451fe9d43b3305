// The real OpenTelemetry JS exporters, OTLP/HTTP protobuf and JSON and OTLP/gRPC (plain and gzip),
// send to the collector: every span arrives exactly once, with its attributes, under the key's project.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { Metadata } from '@grpc/grpc-js';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { emitRequests } from './emit-requests.ts';
import { startTestCollector, type TestCollector } from './harness.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector({ VIGIL_BATCH_MAX_SPANS: 500 });
});
afterAll(() => t.close());

const httpOptions = () => ({
  url: `${t.url}/v1/traces`,
  headers: { authorization: `Bearer ${t.keyA}` },
  timeoutMillis: 30_000,
});
const grpcMetadata = () => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${t.keyA}`);
  return metadata;
};

const EXPORTERS: [string, () => SpanExporter][] = [
  ['protobuf', () => new ProtoExporter(httpOptions())],
  ['JSON', () => new JsonExporter(httpOptions())],
  [
    'gRPC',
    () =>
      new GrpcExporter({ url: `http://${t.collector.grpcAddress}`, metadata: grpcMetadata(), timeoutMillis: 30_000 }),
  ],
  [
    'gRPC gzip',
    () =>
      new GrpcExporter({
        url: `http://${t.collector.grpcAddress}`,
        metadata: grpcMetadata(),
        compression: CompressionAlgorithm.GZIP,
        timeoutMillis: 30_000,
      }),
  ],
];

for (const [name, createExporter] of EXPORTERS) {
  describe(`the real ${name} exporter`, () => {
    it('delivers every span exactly once with tenant, session, user, model, tokens, TTFT and status', async () => {
      const tenant = `tenant-${name.toLowerCase().replace(' ', '-')}`;
      const exporter = createExporter();
      const provider = new TracerProvider({
        resource: resourceFromAttributes({
          'service.name': 'answer-api',
          'service.version': 'v42',
          'deployment.environment.name': 'test',
        }),
        spanProcessors: [
          new BatchSpanProcessor({ exporter, maxExportBatchSize: 97, scheduledDelayMillis: 10, maxQueueSize: 10_000 }),
        ],
      });
      const tracer = provider.getTracer('vigil-test');
      const traceIds = emitRequests(tracer, 300, tenant);
      await provider.forceFlush();
      await provider.shutdown();

      const { rows } = await t.db.pool.query(
        `select category, count(*)::int as n, count(distinct (trace_id, span_id))::int as distinct_n,
                count(*) filter (where session_id is null or user_id is null or surface is null)::int as missing_context,
                count(*) filter (where status = 'error')::int as errors
           from spans where project_id = $1 and tenant_id = $2 group by category order by category`,
        [t.projectA, tenant],
      );
      expect(rows).toEqual([
        { category: 'cache', n: 300, distinct_n: 300, missing_context: 0, errors: 0 },
        { category: 'db', n: 300, distinct_n: 300, missing_context: 0, errors: 0 },
        { category: 'http', n: 300, distinct_n: 300, missing_context: 0, errors: 0 },
        { category: 'model', n: 300, distinct_n: 300, missing_context: 0, errors: 30 },
      ]);
      const traces = await t.db.pool.query(
        `select count(distinct trace_id)::int as n from spans where trace_id = any($1)`,
        [traceIds],
      );
      expect(traces.rows[0].n).toBe(300);
      const model = await t.db.pool.query(
        `select model, provider, deployment, environment, service_name, ttft_ms, sum(input_tokens)::int as input
           from spans where project_id = $1 and tenant_id = $2 and category = 'model'
          group by 1, 2, 3, 4, 5, 6`,
        [t.projectA, tenant],
      );
      expect(model.rows).toEqual([
        {
          model: 'gpt-4o-mini',
          provider: 'openai',
          deployment: 'v42',
          environment: 'test',
          service_name: 'answer-api',
          ttft_ms: 250,
          input: 300 * 120 + (299 * 300) / 2,
        },
      ]);
      const calls = await t.db.pool.query(
        `select count(*)::int as n from ai_api_calls where project_id = $1 and tenant_id = $2`,
        [t.projectA, tenant],
      );
      expect(calls.rows[0].n).toBe(300);
    });
  });
}
