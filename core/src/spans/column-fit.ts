// Whether a span's values fit their columns (supabase/migrations: spans), checked
// before COPY so one bad value cannot fail a batch that holds other requests' spans. One rule per
// field, as documented in collector/README.md:
//   - a start time outside the years 1970-9999 rejects the span (there is no time to file it under);
//   - a token count that is not an integer in 0..2^31-1 (the integer columns) is cleared to null
//     (unknown, never zero), and so is the cost priced from it;
//   - a duration, TTFT, cost or reported cost that is NaN, infinite or negative is cleared to null (unknown);
//   - a kind outside 0..5 (OTLP SpanKind; the column is a smallint) becomes 0, unspecified.

import type { StoredSpan } from './stored-span.ts';

export const MAX_INTEGER_COLUMN = 2 ** 31 - 1;
/** 9999-12-31T23:59:59.999Z: later years do not format as ISO 8601 dates Postgres reads. */
export const MAX_START_MS = 253_402_300_799_999;

const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'cacheWrite1hTokens',
] as const satisfies readonly (keyof StoredSpan)[];

export type ClearedField =
  | (typeof TOKEN_FIELDS)[number]
  | 'costUsd'
  | 'reportedCostUsd'
  | 'ttftMs'
  | 'durationMs'
  | 'kind';

export interface ColumnFit {
  /** Why the span cannot be stored at all, or null. */
  rejection: string | null;
  /** Fields set to null (or their neutral value) because they did not fit. */
  cleared: ClearedField[];
}

const FITS: ColumnFit = { rejection: null, cleared: [] };

function fitsInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_INTEGER_COLUMN;
}

function fitsMeasure(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/** Checks a span against its columns, clearing what does not fit in place; see the rules above. */
export function fitToColumns(span: StoredSpan): ColumnFit {
  if (!(span.startMs >= 0 && span.startMs <= MAX_START_MS))
    return { rejection: `start time (${span.startMs} ms after 1970) is outside the years 1970-9999`, cleared: [] };
  let cleared: ClearedField[] | null = null;
  for (const field of TOKEN_FIELDS) {
    const value = span[field];
    if (value !== null && !fitsInteger(value)) {
      span[field] = null;
      (cleared ??= []).push(field);
    }
  }
  if (cleared && span.costUsd !== null) {
    span.costUsd = null;
    span.costSource = null;
    cleared.push('costUsd');
  } else if (span.costUsd !== null && !fitsMeasure(span.costUsd)) {
    span.costUsd = null;
    span.costSource = null;
    (cleared ??= []).push('costUsd');
  }
  if (span.reportedCostUsd !== null && !fitsMeasure(span.reportedCostUsd)) {
    span.reportedCostUsd = null;
    (cleared ??= []).push('reportedCostUsd');
  }
  if (span.ttftMs !== null && !fitsMeasure(span.ttftMs)) {
    span.ttftMs = null;
    (cleared ??= []).push('ttftMs');
  }
  if (span.durationMs !== null && !fitsMeasure(span.durationMs)) {
    span.durationMs = null;
    (cleared ??= []).push('durationMs');
  }
  if (!(Number.isInteger(span.kind) && span.kind >= 0 && span.kind <= 5)) {
    span.kind = 0;
    (cleared ??= []).push('kind');
  }
  return cleared ? { rejection: null, cleared } : FITS;
}
