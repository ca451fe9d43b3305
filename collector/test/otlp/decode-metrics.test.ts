// The metrics decoders against bytes from the real OpenTelemetry serializers (the ones the metric
// exporters use): both wire formats read every kind of point the same way.

import { describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeJsonMetrics } from '../../src/otlp/decode-metrics-json.ts';
import { decodeProtobufMetrics } from '../../src/otlp/decode-metrics-protobuf.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';
import type { DecodedMetric } from '../../src/otlp/types.ts';

async function realMetrics(temporality: AggregationTemporality) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'decoder-test' }),
    readers: [reader],
    views: [{ instrumentName: 'ttft', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('scope-m', '0.1.0');
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.1, 1, 10] },
  });
  const ttft = meter.createHistogram('ttft', { unit: 's' });
  const counter = meter.createCounter('gen_ai.client.inference.usage.input_tokens');
  const doubles = meter.createCounter('claude_code.cost.usage', { unit: 'USD' });
  const gauge = meter.createGauge('queue.depth');
  const upDown = meter.createUpDownCounter('inflight');
  for (const v of [0.05, 0.5, 5, 50]) duration.record(v, { 'gen_ai.request.model': 'gpt-4o' });
  for (const v of [0.2, 0.3, 0.31, 7]) ttft.record(v);
  counter.add(120, { 'gen_ai.request.model': 'gpt-4o' });
  doubles.add(0.125, { model: 'claude-haiku-4-5' });
  gauge.record(-3);
  upDown.add(-2);
  await reader.forceFlush();
  await provider.shutdown();
  return exporter.getMetrics()[0]!;
}

const byName = (metrics: DecodedMetric[]) => Object.fromEntries(metrics.map((m) => [m.name, m]));

describe('the metrics decoders', () => {
  for (const temporality of [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA]) {
    it(`read the same points from the real protobuf and JSON serializers (${AggregationTemporality[temporality]})`, async () => {
      const metrics = await realMetrics(temporality);
      const proto = decodeProtobufMetrics(ProtobufMetricsSerializer.serializeRequest(metrics)!, DEFAULT_DECODE_LIMITS);
      const json = decodeJsonMetrics(
        Buffer.from(JsonMetricsSerializer.serializeRequest(metrics)!),
        DEFAULT_DECODE_LIMITS,
      );
      expect({ ...json, decodedBytes: 0 }).toEqual({ ...proto, decodedBytes: 0 });
      expect(proto.rejectedPoints).toBe(0);
      expect(proto.pointCount).toBe(6);
      const read = byName(proto.resourceMetrics[0]!.scopeMetrics[0]!.metrics);
      const expected = temporality === AggregationTemporality.CUMULATIVE ? 'cumulative' : 'delta';
      expect(read['gen_ai.client.operation.duration']).toMatchObject({
        unit: 's',
        data: {
          kind: 'histogram',
          temporality: expected,
          points: [{ count: 4, sum: 55.55, min: 0.05, max: 50, bounds: [0.1, 1, 10], bucketCounts: [1, 1, 1, 1] }],
        },
      });
      const exp = read.ttft!.data;
      expect(exp.kind).toBe('exponential_histogram');
      if (exp.kind === 'exponential_histogram') {
        const [point] = exp.points;
        expect(point!.count).toBe(4);
        expect(point!.positive.counts.reduce((a, b) => a + b, 0) + point!.zeroCount).toBe(4);
        expect(point!.scale).toBeGreaterThan(0);
      }
      expect(read['gen_ai.client.inference.usage.input_tokens']!.data).toMatchObject({
        kind: 'sum',
        monotonic: true,
        temporality: expected,
        points: [{ value: 120, attributes: { 'gen_ai.request.model': 'gpt-4o' } }],
      });
      expect(read['claude_code.cost.usage']!.data).toMatchObject({ kind: 'sum', points: [{ value: 0.125 }] });
      expect(read['queue.depth']!.data).toMatchObject({ kind: 'gauge', points: [{ value: -3 }] });
      expect(read.inflight!.data).toMatchObject({ kind: 'sum', monotonic: false, points: [{ value: -2 }] });
      for (const m of Object.values(read))
        for (const p of m.data.points) expect(p.timeMs).toBeGreaterThan(Date.now() - 60_000);
    });
  }
});
