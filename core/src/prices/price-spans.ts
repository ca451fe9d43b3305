// The one rule for a call's cost, used at ingest and by `vigil reprice`: the project's own price
// first, then the catalog; the cost the span reported itself only when no price is known (or the
// call reported no token counts). Unknown stays null.

import { isCountedModelCall, type StoredSpan } from '../spans/index.ts';
import type { PriceCatalog } from './catalog.ts';

/** What pricing reads and writes of a span. */
export type PricedSpan = Pick<
  StoredSpan,
  | 'category'
  | 'model'
  | 'provider'
  | 'startMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'cacheWrite1hTokens'
  | 'reasoningTokens'
  | 'reportedCostUsd'
  | 'costUsd'
  | 'costSource'
> & { wrapper?: boolean };

export function priceSpans(spans: readonly PricedSpan[], catalog: PriceCatalog): void {
  for (const span of spans) if (isCountedModelCall(span)) priceSpan(span, catalog);
}

/** Sets the span's cost and its source, in place (null and null when nothing is known). */
export function priceSpan(span: PricedSpan, catalog: PriceCatalog): void {
  span.costUsd = null;
  span.costSource = null;
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
