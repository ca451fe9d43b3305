// Wires the collector together: the writer, the trace pipeline in front of it, the OTLP/HTTP and
// OTLP/gRPC receivers in front of that, the project directory, metrics and rollup maintenance.

import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { CONFIG_DEFAULTS, DEFAULT_RETENTION, type Maintenance, startMaintenance, type VigilConfig } from '@vigil/core';
import { startHealthServer } from './health/health-server.ts';
import { type CollectorMetrics, createCollectorMetrics } from './metrics.ts';
import { type DecodeLimitSettings, decodeLimitsFrom } from './otlp/decode-limits.ts';
import { Admission } from './pipeline/admission.ts';
import { ProcessingSlots } from './pipeline/processing-slots.ts';
import { MetricPipeline } from './metric-ingest/metric-pipeline.ts';
import { LogPipeline } from './pipeline/log-pipeline.ts';
import { TracePipeline } from './pipeline/trace-pipeline.ts';
import { ProjectDirectory } from './projects/project-directory.ts';
import { closeGrpc, createGrpcReceiver, listenGrpc } from './receivers/grpc/server.ts';
import { createCollectorServer } from './receivers/http/server.ts';
import { SpanWriter } from './writer/span-writer.ts';

export interface RunningCollector {
  url: string;
  port: number;
  /** OTLP/gRPC: host:port, for an exporter's `url` (with http://) or a grpc-js client. */
  grpcAddress: string;
  grpcPort: number;
  /** The health endpoint on its own thread: `${healthUrl}/healthz`. */
  healthUrl: string;
  writer: SpanWriter;
  metrics: CollectorMetrics;
  /** Stops accepting requests, waits for queued spans to commit, then closes. */
  close(): Promise<void>;
}

export type CollectorSettings = Pick<
  VigilConfig,
  | 'VIGIL_COLLECTOR_HOST'
  | 'VIGIL_COLLECTOR_PORT'
  | 'VIGIL_MAX_BODY_BYTES'
  | 'VIGIL_MAX_DECOMPRESSED_BYTES'
  | 'VIGIL_MAX_ATTRIBUTES'
  | 'VIGIL_MAX_ATTRIBUTE_LENGTH'
  | 'VIGIL_QUEUE_MAX_SPANS'
  | 'VIGIL_BATCH_MAX_SPANS'
  | 'VIGIL_WRITER_LANES'
> &
  Partial<
    Pick<
      VigilConfig,
      | 'VIGIL_COMPACT_INTERVAL_MS'
      | 'VIGIL_MINUTE_ROLLUP_RETENTION_DAYS'
      | 'VIGIL_HOUR_ROLLUP_RETENTION_DAYS'
      | 'VIGIL_ROLLUP_RETENTION_DAYS'
      | 'VIGIL_MAX_INFLIGHT_BYTES'
      | 'VIGIL_COLLECTOR_HEALTH_PORT'
      | 'VIGIL_COLLECTOR_GRPC_PORT'
      | 'VIGIL_WRITER_LINGER_MS'
      | 'VIGIL_MAX_GRPC_MESSAGE_BYTES'
      | 'VIGIL_COLLECTOR_RESTARTS'
      | Exclude<keyof DecodeLimitSettings, 'VIGIL_MAX_ATTRIBUTES' | 'VIGIL_MAX_ATTRIBUTE_LENGTH'>
    >
  >;

/** What a lingering write lane counts as a full batch (see span-writer.ts). */
const LINGER_BATCH_SPANS = 2000;

/** Requests in the CPU-bound stages at once (see processing-slots.ts). */
const PROCESSING_SLOTS = 2;

export async function startCollector(
  settings: CollectorSettings,
  pool: pg.Pool,
  log: (message: string) => void = () => {},
): Promise<RunningCollector> {
  const metrics = createCollectorMetrics();
  const projects = new ProjectDirectory(pool);
  // The optional settings take their configured defaults, here once.
  const resolved = { ...CONFIG_DEFAULTS, ...settings };
  const writer = new SpanWriter(
    pool,
    {
      maxQueueSpans: settings.VIGIL_QUEUE_MAX_SPANS,
      maxBatchSpans: settings.VIGIL_BATCH_MAX_SPANS,
      lanes: settings.VIGIL_WRITER_LANES,
      lingerMs: resolved.VIGIL_WRITER_LINGER_MS,
      lingerSpans: LINGER_BATCH_SPANS,
    },
    {
      onBatch: ({ spans, durationMs }) => {
        metrics.batchDuration.observe(durationMs / 1000);
        metrics.batchSpans.observe(spans);
      },
      onUnpricedModel: (count) => metrics.unpricedModelSpans.inc(count),
      catalogLabel: (projectId) => projects.cachedCatalogLabel(projectId),
    },
  );
  const limits = decodeLimitsFrom(resolved);
  const pipeline = new TracePipeline({ writer, projects, metrics, limits });
  const metricPipeline = new MetricPipeline({ pool, projects, metrics });
  const logPipeline = new LogPipeline({ traces: pipeline, pool, metrics });
  const admission = new Admission(
    {
      maxQueueSpans: settings.VIGIL_QUEUE_MAX_SPANS,
      maxInflightBytes: resolved.VIGIL_MAX_INFLIGHT_BYTES,
      maxSpansPerRequest: limits.maxSpans,
      maxDecodedBytesPerRequest: limits.maxDecodedBytes,
    },
    () => writer.queuedSpans,
  );
  // One set of processing slots for both receivers: they share the CPU-bound stages.
  const slots = new ProcessingSlots(PROCESSING_SLOTS);
  const server = createCollectorServer(
    {
      maxBodyBytes: settings.VIGIL_MAX_BODY_BYTES,
      maxDecompressedBytes: settings.VIGIL_MAX_DECOMPRESSED_BYTES,
      limits,
    },
    { pipeline, logPipeline, metricPipeline, admission, slots, projects, metrics, log },
  );
  const grpcServer = createGrpcReceiver(
    { maxMessageBytes: resolved.VIGIL_MAX_GRPC_MESSAGE_BYTES, maxReceivingBytes: resolved.VIGIL_MAX_INFLIGHT_BYTES },
    { pipeline, logPipeline, metricPipeline, admission, slots, projects, metrics, limits, log },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.VIGIL_COLLECTOR_PORT, settings.VIGIL_COLLECTOR_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const closeHttp = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  const grpcPort = await listenGrpc(
    grpcServer,
    settings.VIGIL_COLLECTOR_HOST,
    resolved.VIGIL_COLLECTOR_GRPC_PORT,
  ).catch(async (error: unknown) => {
    await closeHttp();
    throw new Error(`OTLP/gRPC port ${resolved.VIGIL_COLLECTOR_GRPC_PORT}: ${(error as Error).message}`);
  });
  const restarts = resolved.VIGIL_COLLECTOR_RESTARTS;
  metrics.restarts.set(restarts);
  const health = await startHealthServer(settings.VIGIL_COLLECTOR_HOST, resolved.VIGIL_COLLECTOR_HEALTH_PORT, {
    queueSpans: () => writer.queuedSpans,
    databaseAvailable: () => writer.databaseAvailable,
    restarts,
  }).catch(async (error: unknown) => {
    await Promise.all([closeHttp(), closeGrpc(grpcServer)]);
    throw error;
  });
  const maintenance: Maintenance | null = settings.VIGIL_COMPACT_INTERVAL_MS
    ? startMaintenance(pool, {
        compactEveryMs: settings.VIGIL_COMPACT_INTERVAL_MS,
        retention: {
          minuteRollupDays: settings.VIGIL_MINUTE_ROLLUP_RETENTION_DAYS ?? DEFAULT_RETENTION.minuteRollupDays,
          hourRollupDays: settings.VIGIL_HOUR_ROLLUP_RETENTION_DAYS ?? DEFAULT_RETENTION.hourRollupDays,
          rollupDays: settings.VIGIL_ROLLUP_RETENTION_DAYS ?? DEFAULT_RETENTION.rollupDays,
        },
        log,
        onCompaction: (result, durationMs) => {
          metrics.compactionDuration.observe(durationMs / 1000);
          metrics.rollupPendingFolded.inc(result.pendingRows);
        },
      })
    : null;
  const host = settings.VIGIL_COLLECTOR_HOST.includes(':')
    ? `[${settings.VIGIL_COLLECTOR_HOST}]`
    : settings.VIGIL_COLLECTOR_HOST;
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}`;
  return {
    url: `${origin}:${port}`,
    port,
    grpcAddress: `${origin.slice('http://'.length)}:${grpcPort}`,
    grpcPort,
    healthUrl: `${origin}:${health.port}`,
    writer,
    metrics,
    close: async () => {
      await Promise.all([closeHttp(), closeGrpc(grpcServer)]);
      await writer.drain();
      await maintenance?.stop();
      await health.close();
    },
  };
}
