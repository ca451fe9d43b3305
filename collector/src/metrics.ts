// The collector's own health, as Prometheus text on GET /metrics.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createCollectorMetrics() {
  const registry = new Registry();
  // Process memory, CPU, event-loop lag and GC: what an operator checks first under load.
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const metrics = {
    registry,
    spansReceived: new Counter({
      name: 'vigil_spans_received_total',
      help: 'Spans in requests that decoded.',
      registers: [registry],
    }),
    spansStored: new Counter({
      name: 'vigil_spans_stored_total',
      help: 'Spans committed to Postgres.',
      registers: [registry],
    }),
    spansDuplicate: new Counter({
      name: 'vigil_spans_duplicate_total',
      help: 'Spans acknowledged that were already stored (retried exports).',
      registers: [registry],
    }),
    spansRejected: new Counter({
      name: 'vigil_spans_rejected_total',
      help: 'Spans refused for bad data (never retried by exporters).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    spansDropped: new Counter({
      name: 'vigil_spans_dropped_total',
      help: 'Spans answered 429/503 (queue full, database down). Exporters retry them; nothing acknowledged is dropped.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    logRecordsReceived: new Counter({
      name: 'vigil_log_records_received_total',
      help: 'OTLP log records in requests that decoded.',
      registers: [registry],
    }),
    logRecordsRejected: new Counter({
      name: 'vigil_log_records_rejected_total',
      help: 'Log records refused for bad data (malformed ids).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    logRecordsAsCalls: new Counter({
      name: 'vigil_log_records_model_calls_total',
      help: 'Log records read as model calls (agent API request events); stored as spans, counted again in vigil_spans_*.',
      registers: [registry],
    }),
    logRecordsEvaluations: new Counter({
      name: 'vigil_log_records_evaluations_total',
      help: 'Log records read as evaluation results of a span (gen_ai.evaluation.result), held until the span is stored.',
      registers: [registry],
    }),
    logRecordsAttached: new Counter({
      name: 'vigil_log_records_attached_total',
      help: 'Log records that name their span (trace and span id), stored with it in span_logs.',
      registers: [registry],
    }),
    logRecordsNotStored: new Counter({
      name: 'vigil_log_records_not_stored_total',
      help: 'Log records taken and acknowledged but not stored: neither a model call Vigil reads nor in a span (or content not captured).',
      registers: [registry],
    }),
    metricPointsReceived: new Counter({
      name: 'vigil_metric_points_received_total',
      help: 'OTLP metric data points in requests that decoded.',
      registers: [registry],
    }),
    metricPointsRejected: new Counter({
      name: 'vigil_metric_points_rejected_total',
      help: 'Metric data points refused for bad data (no time, buckets that do not match their bounds).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    metricPointsRead: new Counter({
      name: 'vigil_metric_points_read_total',
      help: 'Metric data points Vigil reads, by what their series made of them: delta, first, next, reset (counted), baseline, stale (not counted).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    metricPointsNotStored: new Counter({
      name: 'vigil_metric_points_not_stored_total',
      help: 'Metric data points acknowledged and not read: metrics Vigil does not use.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    requests: new Counter({
      name: 'vigil_http_requests_total',
      help: 'OTLP requests by signal and response status.',
      labelNames: ['signal', 'status'] as const,
      registers: [registry],
    }),
    grpcReceiving: new Gauge({
      name: 'vigil_grpc_calls_receiving',
      help: 'OTLP/gRPC calls whose message is still arriving (bounded by the reception limit).',
      registers: [registry],
    }),
    grpcRequests: new Counter({
      name: 'vigil_grpc_requests_total',
      help: 'OTLP/gRPC calls by service and status code.',
      labelNames: ['service', 'code'] as const,
      registers: [registry],
    }),
    attributesTruncated: new Counter({
      name: 'vigil_attributes_truncated_total',
      help: 'Attribute values shortened or attributes dropped by the configured limits.',
      registers: [registry],
    }),
    eventsDropped: new Counter({
      name: 'vigil_span_events_dropped_total',
      help: 'Span events dropped over the configured limit per span (VIGIL_MAX_EVENTS_PER_SPAN).',
      registers: [registry],
    }),
    valuesCleared: new Counter({
      name: 'vigil_span_values_cleared_total',
      help: 'Span values stored as null because they did not fit their column (a token count out of range, ...).',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    restarts: new Gauge({
      name: 'vigil_collector_restarts',
      help: 'Times the supervisor has restarted this collector process after it died (0 when it is not supervised).',
      registers: [registry],
    }),
    unpricedModelSpans: new Counter({
      name: 'vigil_unpriced_model_spans_total',
      help: 'Model calls stored with a null cost because no price is known for the model.',
      registers: [registry],
    }),
    queueSpans: new Gauge({ name: 'vigil_queue_spans', help: 'Spans waiting to be committed.', registers: [registry] }),
    admissionReservedSpans: new Gauge({
      name: 'vigil_admission_reserved_spans',
      help: 'Spans (estimated, then counted) of requests admitted and still being read or decoded.',
      registers: [registry],
    }),
    admissionReservedBytes: new Gauge({
      name: 'vigil_admission_reserved_bytes',
      help: 'Decoded bytes (estimated) of requests admitted and still being read or decoded.',
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'vigil_batch_duration_seconds',
      help: 'Time to commit one group-commit batch.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    batchSpans: new Histogram({
      name: 'vigil_batch_spans',
      help: 'Spans per committed batch.',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000],
      registers: [registry],
    }),
    compactionDuration: new Histogram({
      name: 'vigil_rollup_compaction_duration_seconds',
      help: 'Time of one rollup compaction round.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rollupPendingFolded: new Counter({
      name: 'vigil_rollup_pending_rows_folded_total',
      help: 'Pending rollup deltas folded into every cuboid and grain.',
      registers: [registry],
    }),
  };
  return metrics;
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
