// What both decoders keep while they read one request: the limits, the counters the limits feed,
// and which spans were accepted or rejected (with a few reasons for partialSuccess). The request
// limits are counted here as objects are decoded, so a hostile body stops at the limit instead of
// after it has been turned into millions of objects.

import type { LimitCounters } from './attribute-limits.ts';
import { invalidIdsReason, MAX_REJECTION_REASONS } from './span-ids.ts';
import {
  type DecodedResourceSpans,
  type DecodedSpan,
  type DecodeLimits,
  type DecodeResult,
  OtlpDecodeError,
} from './types.ts';

/**
 * Estimated sizes, in bytes, of what the decoders build, for DecodeLimits.maxDecodedBytes. Measured
 * on Node 24 (heap growth over 20k decoded spans of the bench generator: 2.4 KB per span with 20
 * attributes against an estimate of 2.6 KB); strings count their length on top.
 */
export const DECODED_COST = {
  resourceSpans: 160,
  scopeSpans: 160,
  span: 400,
  event: 120,
  attribute: 64,
  /** An array or kvlist value, plus 16 per element. */
  container: 64,
  element: 16,
} as const;

/**
 * How a signal names its levels, for the messages of the request limits. The limits themselves are
 * shared: VIGIL_MAX_RESOURCE_SPANS also bounds resourceLogs, VIGIL_MAX_SPANS_PER_REQUEST log records.
 */
export interface SignalNouns {
  resources: string;
  scopes: string;
  items: string;
}

export const TRACE_NOUNS: SignalNouns = { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' };
export const LOG_NOUNS: SignalNouns = { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'log records' };
export const METRIC_NOUNS: SignalNouns = { resources: 'resourceMetrics', scopes: 'scopeMetrics', items: 'data points' };

export class DecodeState implements LimitCounters {
  readonly limits: DecodeLimits;
  readonly nouns: SignalNouns;
  /** Items (spans, log records) accepted, and rejected one by one. */
  accepted = 0;
  rejected = 0;
  readonly rejectionReasons: string[] = [];
  droppedAttributes = 0;
  truncatedValues = 0;
  droppedEvents = 0;
  decodedBytes = 0;
  private resourceSpansSeen = 0;
  private scopeSpansSeen = 0;

  constructor(limits: DecodeLimits, nouns: SignalNouns = TRACE_NOUNS) {
    this.limits = limits;
    this.nouns = nouns;
  }

  /** Counts one more ResourceSpans (ResourceLogs); throws (413) past the limit. */
  enterResource(): void {
    if (++this.resourceSpansSeen > this.limits.maxResourceSpans) throw tooManyResources(this.limits, this.nouns);
    this.charge(DECODED_COST.resourceSpans);
  }

  /** Counts one more ScopeSpans (ScopeLogs); throws (413) past the limit. */
  enterScope(): void {
    if (++this.scopeSpansSeen > this.limits.maxScopeSpans)
      throw overLimitError(`more than ${this.limits.maxScopeSpans} ${this.nouns.scopes}`, 'VIGIL_MAX_SCOPE_SPANS');
    this.charge(DECODED_COST.scopeSpans);
  }

  /** Counts one more span (log record), before it is decoded; throws (413) past the limit. */
  enterItem(): void {
    if (this.accepted + this.rejected >= this.limits.maxSpans)
      throw overLimitError(`more than ${this.limits.maxSpans} ${this.nouns.items}`, 'VIGIL_MAX_SPANS_PER_REQUEST');
    this.charge(DECODED_COST.span);
  }

  /** Adds to the request's estimated decoded size; throws (413) past the memory budget. */
  charge(bytes: number): void {
    this.decodedBytes += bytes;
    if (this.decodedBytes > this.limits.maxDecodedBytes)
      throw overLimitError(
        `decodes to more than ${this.limits.maxDecodedBytes} bytes (estimated)`,
        'VIGIL_MAX_REQUEST_MEMORY_BYTES',
      );
  }

  /**
   * Counts a decoded span in, or rejects it (counted, with its reason) when its ids are unusable:
   * one bad span never fails the request. `where` names it in the reason (span N by default).
   */
  accept(span: DecodedSpan, where?: string): boolean {
    const reason = invalidIdsReason(span.traceId, span.spanId, span.parentSpanId);
    if (reason === null) {
      this.accepted++;
      return true;
    }
    this.reject(where ?? `span ${this.accepted + this.rejected}`, span.name, reason);
    return false;
  }

  /** Rejects one item (counted, with a few reasons for partialSuccess); the rest of the request stands. */
  reject(label: string, name: string, reason: string): void {
    this.rejected++;
    if (this.rejectionReasons.length < MAX_REJECTION_REASONS)
      this.rejectionReasons.push(`${label} ("${name.slice(0, 60)}"): ${reason}`);
  }

  result(resourceSpans: DecodedResourceSpans[]): DecodeResult {
    return {
      resourceSpans,
      spanCount: this.accepted,
      rejectedSpans: this.rejected,
      rejectionReasons: this.rejectionReasons,
      droppedAttributes: this.droppedAttributes,
      truncatedValues: this.truncatedValues,
      droppedEvents: this.droppedEvents,
      decodedBytes: this.decodedBytes,
    };
  }
}

/** The 413 of a request over a decode limit, naming the setting. */
export function overLimitError(what: string, setting: string): OtlpDecodeError {
  return new OtlpDecodeError(`request has ${what}, over the limit (${setting}); send smaller batches`, 413);
}

export function tooManyResources(limits: DecodeLimits, nouns: SignalNouns): OtlpDecodeError {
  return overLimitError(`more than ${limits.maxResourceSpans} ${nouns.resources}`, 'VIGIL_MAX_RESOURCE_SPANS');
}

/**
 * A span's duration in ms from its start and end in nanoseconds since 1970, each given as
 * high * base + low: exact, where the nanoseconds themselves (about 1.8e18) are not, since a double
 * holds them to 256 ns (a 90 ms span read 89.9998). Null, unknown, when the end is missing or
 * before the start (a broken clock).
 */
export function durationMsOf(
  startHigh: number,
  startLow: number,
  endHigh: number,
  endLow: number,
  base: number,
): number | null {
  const ns = (endHigh - startHigh) * base + (endLow - startLow);
  return ns < 0 ? null : ns / 1e6;
}
