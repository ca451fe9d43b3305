// The OTLP/gRPC receiver (port 4317 by default): opentelemetry.proto.collector.trace.v1.TraceService
// ….logs.v1.LogsService and ….metrics.v1.MetricsService on @grpc/grpc-js. It owns only what is gRPC: the key from metadata, the message limit, and status
// codes per the OTLP specification; authentication, admission, decoding and the pipeline are the
// same calls the HTTP receiver makes (pipeline/ingest-request.ts).
//
// The message reaches the handler as raw bytes (an identity deserialiser) and goes to the same
// hand-written decoder as OTLP/HTTP protobuf: no second object tree from a generic protobuf runtime.
// grpc-js reads a whole message, gzip or not, before the handler runs, and refuses one larger than
// `grpc.max_receive_message_length` (after decompression too) with RESOURCE_EXHAUSTED; so here
// admission comes after the read, where HTTP decides from the headers, and the memory of messages
// still arriving is bounded by how many may arrive at once (reception-limit.ts).

import * as grpc from '@grpc/grpc-js';
import { encodeExportResponse, type Signal } from '../../otlp/encode-response.ts';
import { countUndecodable, type IngestFailureKind, ingestFailureOf } from '../../pipeline/ingest-failure.ts';
import { admit, authenticate, consumeSignal, type IngestDeps, ingestKeyFrom } from '../../pipeline/ingest-request.ts';
import { receptionLimit } from './reception-limit.ts';
import { retryInfoTrailers } from './rpc-status.ts';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

const identity = (bytes: Buffer) => bytes;

/** An OTLP service's one method, Export, with raw bytes both ways. */
function exportService(path: string) {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  } satisfies grpc.ServiceDefinition;
}

/**
 * The services, for this server and for any client (tests, the bench) that sends prepared
 * Export*ServiceRequest bytes.
 */
export const TRACE_SERVICE = exportService(TRACE_EXPORT_PATH);
export const LOGS_SERVICE = exportService(LOGS_EXPORT_PATH);
export const METRICS_SERVICE = exportService(METRICS_EXPORT_PATH);

/** The services served, and the signal each carries (`service` is the metrics label). */
const SERVICES: readonly { service: string; signal: Signal; definition: grpc.ServiceDefinition }[] = [
  { service: 'trace', signal: 'traces', definition: TRACE_SERVICE },
  { service: 'logs', signal: 'logs', definition: LOGS_SERVICE },
  { service: 'metrics', signal: 'metrics', definition: METRICS_SERVICE },
];

/** The gRPC code for each reason a request was not taken (OTLP/gRPC "Failures" and "Throttling"). */
const GRPC_CODE: Record<IngestFailureKind, grpc.status> = {
  unauthenticated: grpc.status.UNAUTHENTICATED,
  invalid: grpc.status.INVALID_ARGUMENT,
  // Without RetryInfo, RESOURCE_EXHAUSTED tells the exporter not to retry: the request will not fit.
  too_large: grpc.status.RESOURCE_EXHAUSTED,
  // grpc-js itself answers an unknown grpc-encoding; nothing here raises it.
  unsupported: grpc.status.INVALID_ARGUMENT,
  overloaded: grpc.status.RESOURCE_EXHAUSTED,
  unavailable: grpc.status.UNAVAILABLE,
};

export interface GrpcReceiverOptions {
  /** The largest message taken, after decompression (VIGIL_MAX_GRPC_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Memory for messages arriving at once (VIGIL_MAX_INFLIGHT_BYTES): at most this over maxMessageBytes calls. */
  maxReceivingBytes: number;
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

function ingestKeyOf(metadata: grpc.Metadata): string | null {
  return ingestKeyFrom(metadataValue(metadata, 'authorization'), metadataValue(metadata, 'x-vigil-key'));
}

export function createGrpcReceiver(options: GrpcReceiverOptions, deps: IngestDeps): grpc.Server {
  const { metrics, log } = deps;

  function fail(
    service: string,
    code: grpc.status,
    message: string,
    retryAfterSeconds?: number,
  ): grpc.ServerErrorResponse {
    metrics.grpcRequests.inc({ service, code: grpc.status[code] });
    const error: grpc.ServerErrorResponse = Object.assign(new Error(message), { code, details: message });
    if (retryAfterSeconds !== undefined) error.metadata = retryInfoTrailers(code, message, retryAfterSeconds);
    return error;
  }

  async function exportSignal(service: string, signal: Signal, body: Buffer, metadata: grpc.Metadata): Promise<Buffer> {
    const project = await authenticate(
      deps,
      ingestKeyOf(metadata),
      'metadata "authorization: Bearer <key>" or "x-vigil-key: <key>"',
    );
    const ticket = admit(deps, { signal, wireBytes: body.length, format: 'protobuf', gzip: false });
    ticket.resize(body.length);
    const outcome = await consumeSignal(deps, signal, project, 'protobuf', body, ticket);
    metrics.grpcRequests.inc({ service, code: 'OK' });
    return Buffer.from(encodeExportResponse('protobuf', outcome.partialSuccess, signal));
  }

  const reception = receptionLimit(Math.max(1, Math.floor(options.maxReceivingBytes / options.maxMessageBytes)), {
    refused: (path) =>
      metrics.grpcRequests.inc({
        service: SERVICES.find((s) => s.definition.Export!.path === path)?.service ?? 'unknown',
        code: 'RESOURCE_EXHAUSTED',
      }),
    receiving: (count) => metrics.grpcReceiving.set(count),
  });
  const server = new grpc.Server({
    interceptors: [reception],
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // Exporters keep their channel open between batches; pings keep idle ones alive through proxies.
    'grpc.keepalive_permit_without_calls': 1,
  });
  for (const { service, signal, definition } of SERVICES)
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        exportSignal(service, signal, call.request, call.metadata).then(
          (response) => callback(null, response),
          (error: unknown) => {
            const failure = ingestFailureOf(error);
            if (failure) {
              countUndecodable(metrics, error);
              return callback(fail(service, GRPC_CODE[failure.kind], failure.message, failure.retryAfterSeconds));
            }
            log(`ingest failed: ${(error as Error).stack ?? String(error)}`);
            callback(fail(service, grpc.status.INTERNAL, `internal error while storing ${signal}`));
          },
        );
      },
    });
  return server;
}

/** Binds the receiver; resolves with the port (useful when asked for port 0). */
export function listenGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}

/** Stops taking calls and waits for those in flight (bounded: a stuck client cannot hold shutdown). */
export function closeGrpc(server: grpc.Server, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
