// What both decoders keep while they read one request: the limits, the counters the limits feed,
// and which spans were accepted or rejected (with a few reasons for partialSuccess).

import type { LimitCounters } from './attribute-limits.ts';
import { invalidIdsReason, MAX_REJECTION_REASONS } from './span-ids.ts';
import type { DecodedResourceSpans, DecodedSpan, DecodeLimits, DecodeResult } from './types.ts';

export class DecodeState implements LimitCounters {
  readonly limits: DecodeLimits;
  spanCount = 0;
  rejectedSpans = 0;
  readonly rejectionReasons: string[] = [];
  droppedAttributes = 0;
  truncatedValues = 0;

  constructor(limits: DecodeLimits) {
    this.limits = limits;
  }

  /**
   * Counts a decoded span in, or rejects it (counted, with its reason) when its ids are unusable:
   * one bad span never fails the request. `where` names it in the reason (span N by default).
   */
  accept(span: DecodedSpan, where?: string): boolean {
    const reason = invalidIdsReason(span.traceId, span.spanId, span.parentSpanId);
    if (reason === null) {
      this.spanCount++;
      return true;
    }
    const label = where ?? `span ${this.spanCount + this.rejectedSpans}`;
    this.rejectedSpans++;
    if (this.rejectionReasons.length < MAX_REJECTION_REASONS)
      this.rejectionReasons.push(`${label} ("${span.name.slice(0, 60)}"): ${reason}`);
    return false;
  }

  result(resourceSpans: DecodedResourceSpans[]): DecodeResult {
    return {
      resourceSpans,
      spanCount: this.spanCount,
      rejectedSpans: this.rejectedSpans,
      rejectionReasons: this.rejectionReasons,
      droppedAttributes: this.droppedAttributes,
      truncatedValues: this.truncatedValues,
    };
  }
}

/** A span's end in epoch ms: an end before the start (a broken clock) is taken as the start. */
export function endMsOf(startNs: number, endNs: number): number {
  return endNs >= startNs ? endNs / 1e6 : startNs / 1e6;
}
