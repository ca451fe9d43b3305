// The price stage: each counted model call gets its cost. The project's own price first, then the
// catalog; a cost the span reported itself only when no price is known. Unknown stays null.

import { isCountedModelCall, type PriceCatalog, type StoredSpan } from '@vigil/core';

export function priceSpans(spans: readonly StoredSpan[], catalog: PriceCatalog): void {
  for (const span of spans) if (isCountedModelCall(span)) priceSpan(span, catalog);
}

function priceSpan(span: StoredSpan, catalog: PriceCatalog): void {
  if (span.model) {
    const priced = catalog.price({ provider: span.provider, model: span.model, atMs: span.startMs, usage: span });
    if (priced.costUsd !== null) {
      span.costUsd = priced.costUsd;
      span.costSource = priced.source;
      return;
    }
  }
  if (span.reportedCostUsd !== null) {
    span.costUsd = span.reportedCostUsd;
    span.costSource = 'span';
  }
}
