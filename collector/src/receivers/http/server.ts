// The OTLP/HTTP receiver: POST /v1/traces, /v1/logs and /v1/metrics (protobuf or JSON, gzip or not), GET
// /healthz and GET /metrics. It authenticates the key, reads and decodes the body, and hands the
// batch to the trace pipeline; it owns only what is HTTP. Status codes follow the OTLP/HTTP contract so that
// exporters retry exactly what is worth retrying: 429/503 (with Retry-After) for overload and
// database outages, 4xx for bad data.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isValidHostHeader } from '@vigil/core';
import type { CollectorMetrics } from '../../metrics.ts';
import { LOG_NOUNS, METRIC_NOUNS, type SignalNouns, TRACE_NOUNS, tooManyResources } from '../../otlp/decode-state.ts';
import { ResourceSpansCounter } from '../../otlp/resource-spans-counter.ts';
import { encodeErrorStatus, encodeExportResponse, type Signal, type WireFormat } from '../../otlp/encode-response.ts';
import type { DecodeLimits } from '../../otlp/types.ts';
import type { Admission } from '../../pipeline/admission.ts';
import { countUndecodable, type IngestFailureKind, ingestFailureOf } from '../../pipeline/ingest-failure.ts';
import { admit, authenticate, consumeSignal, type IngestDeps, ingestKeyFrom } from '../../pipeline/ingest-request.ts';
import type { ProcessingSlots } from '../../pipeline/processing-slots.ts';
import type { TracePipeline } from '../../pipeline/trace-pipeline.ts';
import type { LogPipeline } from '../../pipeline/log-pipeline.ts';
import type { MetricPipeline } from '../../metric-ingest/metric-pipeline.ts';
import type { ProjectDirectory } from '../../projects/project-directory.ts';
import { contentEncoding, declaredLength, decompress, readBody } from './read-body.ts';

export interface CollectorServerOptions {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  limits: DecodeLimits;
}

export interface CollectorServerDeps {
  pipeline: TracePipeline;
  logPipeline: LogPipeline;
  metricPipeline: MetricPipeline;
  admission: Admission;
  slots: ProcessingSlots;
  projects: ProjectDirectory;
  metrics: CollectorMetrics;
  log?: (message: string) => void;
}

const CONTENT_TYPES: Record<string, WireFormat> = {
  'application/x-protobuf': 'protobuf',
  'application/protobuf': 'protobuf',
  'application/json': 'json',
};

function wireFormatOf(request: IncomingMessage): WireFormat | null {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return CONTENT_TYPES[type] ?? null;
}

function ingestKeyOf(request: IncomingMessage): string | null {
  const header = request.headers['x-vigil-key'];
  return ingestKeyFrom(request.headers.authorization, typeof header === 'string' ? header : undefined);
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  retryAfter?: number,
): void {
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  response.writeHead(status, headers);
  response.end(body);
}

/** The OTLP/HTTP status for each reason a request was not taken. */
const HTTP_STATUS: Record<IngestFailureKind, number> = {
  unauthenticated: 401,
  invalid: 400,
  too_large: 413,
  unsupported: 415,
  overloaded: 429,
  unavailable: 503,
};

const CONTENT_TYPE_OF: Record<WireFormat, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

/** The export paths, one per signal taken (OTLP/HTTP's defaults). */
const EXPORT_PATHS: Record<string, { signal: Signal; nouns: SignalNouns }> = {
  '/v1/traces': { signal: 'traces', nouns: TRACE_NOUNS },
  '/v1/logs': { signal: 'logs', nouns: LOG_NOUNS },
  '/v1/metrics': { signal: 'metrics', nouns: METRIC_NOUNS },
};

export function createCollectorServer(options: CollectorServerOptions, deps: CollectorServerDeps): Server {
  const { limits } = options;
  const { pipeline, metrics } = deps;
  const log = deps.log ?? (() => {});
  const ingest: IngestDeps = { ...deps, limits, log };

  function sendError(
    response: ServerResponse,
    signal: Signal,
    format: WireFormat,
    status: number,
    message: string,
    retryAfter?: number,
  ): void {
    metrics.requests.inc({ signal, status: String(status) });
    send(response, status, CONTENT_TYPE_OF[format], encodeErrorStatus(format, status, message), retryAfter);
  }

  async function handleExport(
    signal: Signal,
    nouns: SignalNouns,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const format = wireFormatOf(request);
    if (!format) {
      metrics.requests.inc({ signal, status: '415' });
      send(
        response,
        415,
        'application/json',
        JSON.stringify({
          code: 3,
          message: `unsupported content-type "${request.headers['content-type'] ?? ''}": send application/x-protobuf or application/json`,
        }),
      );
      return;
    }
    const project = await authenticate(
      ingest,
      ingestKeyOf(request),
      '"Authorization: Bearer <key>" or "x-vigil-key: <key>"',
    );
    // Admission from the headers alone: a request that will not fit is refused before its body is read.
    const encoding = request.headers['content-encoding'];
    const ticket = admit(ingest, {
      signal,
      wireBytes: declaredLength(request, options.maxBodyBytes),
      format,
      gzip: contentEncoding(encoding) === 'gzip',
    });
    try {
      const wire = await readBody(request, options.maxBodyBytes);
      const allowance =
        contentEncoding(encoding) === 'gzip' ? ticket.reserveDecompression(options.maxDecompressedBytes) : wire.length;
      const counter =
        format === 'protobuf'
          ? new ResourceSpansCounter(limits.maxResourceSpans, () => {
              throw tooManyResources(limits, nouns);
            })
          : null;
      const body = await decompress(
        wire,
        encoding,
        options.maxDecompressedBytes,
        allowance,
        counter ? (chunk) => counter.push(chunk) : undefined,
      );
      ticket.resize(wire.length + body.length);
      const outcome = await consumeSignal(ingest, signal, project, format, body, ticket);
      metrics.requests.inc({ signal, status: '200' });
      send(response, 200, CONTENT_TYPE_OF[format], encodeExportResponse(format, outcome.partialSuccess, signal));
    } finally {
      ticket.release();
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isValidHostHeader(request.headers.host))
      return send(
        response,
        400,
        'application/json',
        JSON.stringify({ code: 3, message: `invalid Host header "${String(request.headers.host).slice(0, 100)}"` }),
      );
    const path = (request.url ?? '/').split('?')[0]!;
    const exportPath = Object.hasOwn(EXPORT_PATHS, path) ? EXPORT_PATHS[path] : undefined;
    if (exportPath) {
      const { signal, nouns } = exportPath;
      if (request.method !== 'POST') {
        response.setHeader('allow', 'POST');
        return send(response, 405, 'application/json', JSON.stringify({ code: 12, message: `use POST for ${path}` }));
      }
      const format = wireFormatOf(request) ?? 'json';
      try {
        await handleExport(signal, nouns, request, response);
      } catch (error) {
        const failure = ingestFailureOf(error);
        if (failure) {
          countUndecodable(metrics, error);
          return sendError(
            response,
            signal,
            format,
            HTTP_STATUS[failure.kind],
            failure.message,
            failure.retryAfterSeconds,
          );
        }
        log(`ingest failed: ${(error as Error).stack ?? String(error)}`);
        return sendError(response, signal, format, 500, `internal error while storing ${nouns.items}`);
      }
      return;
    }
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const healthy = pipeline.databaseAvailable;
      return send(
        response,
        healthy ? 200 : 503,
        'application/json',
        JSON.stringify({ status: healthy ? 'ok' : 'database_unavailable', queueSpans: pipeline.queuedSpans }),
      );
    }
    if (path === '/metrics' && request.method === 'GET') {
      metrics.queueSpans.set(pipeline.queuedSpans);
      metrics.admissionReservedSpans.set(deps.admission.reserved.spans);
      metrics.admissionReservedBytes.set(deps.admission.reserved.bytes);
      return send(response, 200, metrics.registry.contentType, await metrics.registry.metrics());
    }
    send(
      response,
      404,
      'application/json',
      JSON.stringify({
        code: 5,
        message: `no route for ${request.method} ${path}; OTLP goes to POST /v1/traces, /v1/logs and /v1/metrics`,
      }),
    );
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log(`request failed: ${String(error)}`);
      if (!response.headersSent)
        send(response, 500, 'application/json', JSON.stringify({ code: 13, message: 'internal error' }));
      else response.destroy();
    });
  });
  // Exporters keep connections open between batches.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  return server;
}
