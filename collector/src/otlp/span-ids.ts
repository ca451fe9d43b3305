// Validation of trace and span ids, shared by both wire formats. An invalid id rejects its span,
// not the whole request.

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const HEX_RE = /^[0-9a-f]*$/;

/** Returns why the ids are unusable, or null when they are fine. Ids are lowercase hex here. */
export function invalidIdsReason(traceId: string, spanId: string, parentSpanId: string | null): string | null {
  if (traceId.length !== 32 || !HEX_RE.test(traceId))
    return `traceId must be 16 bytes (32 hex characters), got "${traceId.slice(0, 40)}"`;
  if (traceId === ZERO_TRACE) return 'traceId is all zeros';
  if (spanId.length !== 16 || !HEX_RE.test(spanId))
    return `spanId must be 8 bytes (16 hex characters), got "${spanId.slice(0, 40)}"`;
  if (spanId === ZERO_SPAN) return 'spanId is all zeros';
  if (parentSpanId !== null && (parentSpanId.length !== 16 || !HEX_RE.test(parentSpanId))) {
    return `parentSpanId must be empty or 8 bytes (16 hex characters), got "${parentSpanId.slice(0, 40)}"`;
  }
  return null;
}

/** An empty or all-zero parent id means "no parent". */
export function normalizeParentId(parentSpanId: string): string | null {
  return parentSpanId === '' || parentSpanId === ZERO_SPAN ? null : parentSpanId;
}

/**
 * A log record's optional ids: empty or all zeros is "not in a trace" (null). Returns why they are
 * unusable instead when one is present but malformed.
 */
export function logRecordIds(
  traceId: string,
  spanId: string,
): { traceId: string | null; spanId: string | null } | string {
  const trace = traceId === '' || traceId === ZERO_TRACE ? null : traceId;
  const span = spanId === '' || spanId === ZERO_SPAN ? null : spanId;
  if (trace !== null && (trace.length !== 32 || !HEX_RE.test(trace)))
    return `traceId must be empty or 16 bytes (32 hex characters), got "${trace.slice(0, 40)}"`;
  if (span !== null && (span.length !== 16 || !HEX_RE.test(span)))
    return `spanId must be empty or 8 bytes (16 hex characters), got "${span.slice(0, 40)}"`;
  return { traceId: trace, spanId: span };
}

export const MAX_REJECTION_REASONS = 5;
