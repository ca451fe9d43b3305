// The fit stage: every span checked against its columns (core's fitToColumns) before it joins a
// batch with other requests' spans. Spans that cannot be stored are left out with their reason;
// values that do not fit are cleared and counted per field.

import { type ClearedField, fitToColumns, type StoredSpan } from '@vigil/core';
import { MAX_REJECTION_REASONS } from '../otlp/span-ids.ts';

export interface FittedSpans {
  storable: StoredSpan[];
  rejected: { count: number; reasons: string[] };
  /** Values cleared, by field. */
  cleared: Map<ClearedField, number>;
}

export function fitSpansToColumns(spans: StoredSpan[]): FittedSpans {
  const fitted: FittedSpans = { storable: spans, rejected: { count: 0, reasons: [] }, cleared: new Map() };
  let storable: StoredSpan[] | null = null;
  for (const [i, span] of spans.entries()) {
    const fit = fitToColumns(span);
    for (const field of fit.cleared) fitted.cleared.set(field, (fitted.cleared.get(field) ?? 0) + 1);
    if (fit.rejection === null) {
      storable?.push(span);
      continue;
    }
    storable ??= spans.slice(0, i);
    fitted.rejected.count++;
    if (fitted.rejected.reasons.length < MAX_REJECTION_REASONS)
      fitted.rejected.reasons.push(`span ${span.spanId} ("${span.name.slice(0, 60)}"): ${fit.rejection}`);
  }
  if (storable) fitted.storable = storable;
  return fitted;
}
