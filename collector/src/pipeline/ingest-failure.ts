// Why a receiver's request was not taken, in words every transport maps once: OTLP/HTTP to a status
// code and Retry-After, OTLP/gRPC to a status code with RetryInfo. One classification, for the
// pipeline's refusals and the receivers' own limits (body size, encoding) alike, so the two
// receivers can never disagree on what an exporter should retry.

import type { CollectorMetrics } from '../metrics.ts';
import { OtlpDecodeError } from '../otlp/types.ts';
import { DatabaseUnavailableError, QueueFullError, SpansRefusedError } from '../writer/errors.ts';

export type IngestFailureKind =
  /** No key, or a key that names no project: not retried. */
  | 'unauthenticated'
  /** A body that cannot be read or spans Postgres refused: not retried. */
  | 'invalid'
  /** Past a size or decode limit (the message names the setting): not retried. */
  | 'too_large'
  /** An encoding the receiver does not take (HTTP's Content-Encoding): not retried. */
  | 'unsupported'
  /** Queue full or too much decoding in flight: retried after retryAfterSeconds. */
  | 'overloaded'
  /** The database cannot take writes now: retried after retryAfterSeconds. */
  | 'unavailable';

export class IngestFailure extends Error {
  override name = 'IngestFailure';
  readonly kind: IngestFailureKind;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: IngestFailureKind, message: string, retryAfterSeconds?: number) {
    super(message);
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Seconds an exporter waits before retrying when the database is down. */
export const UNAVAILABLE_RETRY_SECONDS = 2;
/** Seconds an exporter waits before retrying when the collector has no room (queue, decoding, arrivals). */
export const OVERLOADED_RETRY_SECONDS = 1;

/** The failure a thrown error stands for; null for a bug (answered as an internal error). */
export function ingestFailureOf(error: unknown): IngestFailure | null {
  if (error instanceof IngestFailure) return error;
  if (error instanceof OtlpDecodeError)
    return new IngestFailure(error.status === 413 ? 'too_large' : 'invalid', error.message);
  if (error instanceof QueueFullError) return new IngestFailure('overloaded', error.message, OVERLOADED_RETRY_SECONDS);
  if (error instanceof DatabaseUnavailableError)
    return new IngestFailure('unavailable', error.message, UNAVAILABLE_RETRY_SECONDS);
  if (error instanceof SpansRefusedError) return new IngestFailure('invalid', error.message);
  return null;
}

/** Counts a request that could not be decoded (the pipeline counts what it refuses itself). */
export function countUndecodable(metrics: CollectorMetrics, error: unknown): void {
  if (error instanceof OtlpDecodeError)
    metrics.spansRejected.inc({ reason: error.status === 413 ? 'over_limit' : 'malformed' });
}
