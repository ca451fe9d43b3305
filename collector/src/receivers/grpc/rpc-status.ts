// The error details an OTLP/gRPC exporter reads to decide whether and when to retry: a
// google.rpc.Status in the `grpc-status-details-bin` trailer carrying a google.rpc.RetryInfo, as
// the OTLP specification asks of RESOURCE_EXHAUSTED and UNAVAILABLE answers the server will
// recover from (without it, RESOURCE_EXHAUSTED means "do not retry").

import { Metadata } from '@grpc/grpc-js';
import { lengthDelimited, varintField } from '../../otlp/proto-writer.ts';

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** google.rpc.Status { code, message, details: [Any { RetryInfo { retry_delay: Duration } }] }. */
export function statusWithRetryInfo(code: number, message: string, retryAfterSeconds: number): Buffer {
  const seconds = Math.floor(retryAfterSeconds);
  const nanos = Math.round((retryAfterSeconds - seconds) * 1e9);
  const duration = Buffer.concat([
    seconds > 0 ? varintField(1, seconds) : Buffer.alloc(0),
    nanos > 0 ? varintField(2, nanos) : Buffer.alloc(0),
  ]);
  const retryInfo = lengthDelimited(1, duration);
  const any = Buffer.concat([lengthDelimited(1, Buffer.from(RETRY_INFO_TYPE_URL)), lengthDelimited(2, retryInfo)]);
  return Buffer.concat([
    varintField(1, code),
    lengthDelimited(2, Buffer.from(message, 'utf8')),
    lengthDelimited(3, any),
  ]);
}

/** Trailers that tell an exporter to retry after `retryAfterSeconds`. */
export function retryInfoTrailers(code: number, message: string, retryAfterSeconds: number): Metadata {
  const trailers = new Metadata();
  trailers.set('grpc-status-details-bin', statusWithRetryInfo(code, message, retryAfterSeconds));
  return trailers;
}
