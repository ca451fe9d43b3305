// The collector's view of an OTLP ExportTraceServiceRequest after decoding, whichever wire format
// (protobuf or JSON) it arrived in. Decoders produce exactly this shape; nothing downstream sees
// protobuf or JSON specifics. Attribute and event shapes are the stored span's (core).

import type { AttributeValue, Attributes, SpanEvent } from '@vigil/core';

export type { AttributeValue, Attributes } from '@vigil/core';

export type DecodedEvent = SpanEvent;

export interface DecodedSpan {
  /** 32 lowercase hex characters, never all zero. */
  traceId: string;
  /** 16 lowercase hex characters, never all zero. */
  spanId: string;
  /** 16 lowercase hex characters, or null for a root span. */
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Epoch milliseconds (fractional), from startTimeUnixNano. */
  startMs: number;
  /**
   * From the integer nanoseconds of start and end (durationMsOf); null when unknown: no end, an
   * end before the start, or a reader that knows a call happened but not how long it took (an
   * agent event that reports usage without a duration).
   */
  durationMs: number | null;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  events: DecodedEvent[];
}

export interface DecodedScopeSpans {
  scopeName: string;
  scopeVersion: string;
  spans: DecodedSpan[];
}

export interface DecodedResourceSpans {
  resource: Attributes;
  scopeSpans: DecodedScopeSpans[];
}

export interface DecodeLimits {
  /** Attributes kept per span or resource; the rest are dropped and counted. */
  maxAttributesPerSpan: number;
  /** Attributes kept per span event; the rest are dropped and counted. */
  maxAttributesPerEvent: number;
  /** Longest string attribute value kept, in UTF-16 code units; longer ones are truncated and counted. */
  maxAttributeValueLength: number;
  /** Events kept per span (the OTel SDKs' default is 128); the rest are dropped and counted. */
  maxEventsPerSpan: number;
  /** ResourceSpans per request; over it the request is refused (413). */
  maxResourceSpans: number;
  /** ScopeSpans per request, over all resources; over it the request is refused (413). */
  maxScopeSpans: number;
  /** Spans per request, valid or not; over it the request is refused (413). */
  maxSpans: number;
  /**
   * What the decoded request may cost in memory, estimated as it decodes (strings by length, each
   * object at a fixed size); over it the request is refused (413) before it costs more.
   */
  maxDecodedBytes: number;
}

export interface DecodeResult {
  resourceSpans: DecodedResourceSpans[];
  /** Spans accepted into resourceSpans. */
  spanCount: number;
  /** Spans dropped individually (invalid ids, ...). The rest of the request is still accepted. */
  rejectedSpans: number;
  /** Human-readable reasons for rejected spans, at most a handful, for partialSuccess.errorMessage. */
  rejectionReasons: string[];
  /** Attributes dropped because of maxAttributesPerSpan. */
  droppedAttributes: number;
  /** String values shortened because of maxAttributeValueLength. */
  truncatedValues: number;
  /** Span events dropped because of maxEventsPerSpan. */
  droppedEvents: number;
  /** The decoded request's estimated size in bytes (see DecodeLimits.maxDecodedBytes). */
  decodedBytes: number;
}

/** One OTLP LogRecord, whichever wire format it arrived in. */
export interface DecodedLogRecord {
  /** Epoch milliseconds: time_unix_nano, or observed_time_unix_nano when that is unset (0 if neither). */
  timeMs: number;
  severityNumber: number;
  /** LogRecord.event_name (OTLP 1.5+), '' when not sent; older emitters name events in attributes. */
  eventName: string;
  body: AttributeValue;
  attributes: Attributes;
  /** Lowercase hex, or null when the record is not in a trace (empty or all zeros). */
  traceId: string | null;
  spanId: string | null;
}

export interface DecodedScopeLogs {
  scopeName: string;
  scopeVersion: string;
  records: DecodedLogRecord[];
}

export interface DecodedResourceLogs {
  resource: Attributes;
  scopeLogs: DecodedScopeLogs[];
}

export interface DecodedLogs {
  resourceLogs: DecodedResourceLogs[];
  /** Records accepted into resourceLogs. */
  recordCount: number;
  /** Records dropped one by one (malformed ids); the rest of the request stands. */
  rejectedRecords: number;
  rejectionReasons: string[];
  droppedAttributes: number;
  truncatedValues: number;
  decodedBytes: number;
}

/** AggregationTemporality: how a Sum's or Histogram's points relate to each other. */
export type Temporality = 'delta' | 'cumulative' | 'unspecified';

interface DecodedPointBase {
  attributes: Attributes;
  /** Epoch milliseconds (fractional) of the interval the point covers: (start, time]. */
  startMs: number;
  timeMs: number;
}

export interface DecodedNumberPoint extends DecodedPointBase {
  value: number;
}

export interface DecodedHistogramPoint extends DecodedPointBase {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Explicit bounds; bucketCounts has one more entry (the last bucket is above the last bound). */
  bounds: number[];
  bucketCounts: number[];
}

export interface DecodedExponentialBuckets {
  offset: number;
  counts: number[];
}

export interface DecodedExponentialPoint extends DecodedPointBase {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Bucket i covers (base^i, base^(i+1)] with base = 2^(2^-scale). */
  scale: number;
  zeroCount: number;
  positive: DecodedExponentialBuckets;
  negative: DecodedExponentialBuckets;
}

export type DecodedMetricData =
  | { kind: 'sum'; temporality: Temporality; monotonic: boolean; points: DecodedNumberPoint[] }
  | { kind: 'gauge'; points: DecodedNumberPoint[] }
  | { kind: 'histogram'; temporality: Temporality; points: DecodedHistogramPoint[] }
  | { kind: 'exponential_histogram'; temporality: Temporality; points: DecodedExponentialPoint[] }
  /** Summaries (and a metric with no data) are counted, not read: no GenAI metric is one. */
  | { kind: 'other'; points: [] };

export interface DecodedMetric {
  name: string;
  unit: string;
  data: DecodedMetricData;
}

export interface DecodedScopeMetrics {
  scopeName: string;
  scopeVersion: string;
  metrics: DecodedMetric[];
}

export interface DecodedResourceMetrics {
  resource: Attributes;
  scopeMetrics: DecodedScopeMetrics[];
}

export interface DecodedMetrics {
  resourceMetrics: DecodedResourceMetrics[];
  /** Data points accepted (summary points included: counted, not read). */
  pointCount: number;
  /** Points dropped one by one (no time, a histogram whose buckets and bounds disagree). */
  rejectedPoints: number;
  rejectionReasons: string[];
  droppedAttributes: number;
  truncatedValues: number;
  decodedBytes: number;
}

/**
 * Thrown for a body that cannot be decoded at all (400) or that is over a decode limit (413). The
 * message is shown to the client.
 */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
  readonly status: 400 | 413;

  constructor(message: string, status: 400 | 413 = 400) {
    super(message);
    this.status = status;
  }
}
