// Cost of one call from a model's per-million-token prices, the way @pydantic/genai-prices
// computes it, without its per-call model matching (which runs at ~35k calls/s; this runs at
// millions). Usage follows Vigil's convention: cache reads and writes are parts of input tokens,
// reasoning tokens are part of output tokens.

import type { TokenUsage } from '../usage.ts';

export interface Tier {
  start: number;
  price: number;
}

/** A price per million tokens, flat or tiered on the call's total input tokens. */
export type UnitPrice = number | { base: number; tiers: Tier[] };

export interface ModelPrices {
  input_mtok?: UnitPrice;
  output_mtok?: UnitPrice;
  cache_read_mtok?: UnitPrice;
  cache_write_mtok?: UnitPrice;
  /** One-hour cache writes (Anthropic); without it they are billed at twice the input rate. */
  cache_write_1h_mtok?: UnitPrice;
  output_reasoning_mtok?: UnitPrice;
  requests_kcount?: UnitPrice;
}

/** The price that applies: tiers are chosen by total input tokens, and apply to the whole call. */
function rate(price: UnitPrice | undefined, totalInput: number): number | undefined {
  if (price === undefined || typeof price === 'number') return price;
  let current = price.base;
  for (const tier of price.tiers) if (totalInput > tier.start) current = tier.price;
  return current;
}

/**
 * The call's cost in USD, or null when the call reports no token counts at all: an unknown usage
 * has an unknown cost, never zero (unless the model is priced per request only).
 */
export function costOf(prices: ModelPrices, usage: TokenUsage): number | null {
  if (usage.inputTokens === null && usage.outputTokens === null) {
    const perRequest = rate(prices.requests_kcount, 0);
    const priced = prices.input_mtok !== undefined || prices.output_mtok !== undefined;
    return perRequest !== undefined && !priced ? perRequest / 1000 : null;
  }
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const inputRate = rate(prices.input_mtok, input) ?? 0;
  const cacheReadRate = rate(prices.cache_read_mtok, input);
  const cacheWriteRate = rate(prices.cache_write_mtok, input);
  // A cache part without its own price is billed as ordinary input (it stays inside `input`).
  const cacheRead = cacheReadRate === undefined ? 0 : Math.min(usage.cacheReadTokens ?? 0, input);
  const cacheWrite = cacheWriteRate === undefined ? 0 : Math.min(usage.cacheWriteTokens ?? 0, input - cacheRead);
  // One-hour writes are a part of the writes with their own price (catalog, else Anthropic's 2x input).
  const cacheWrite1h = cacheWriteRate === undefined ? 0 : Math.min(usage.cacheWrite1hTokens ?? 0, cacheWrite);
  const cacheWrite1hRate = rate(prices.cache_write_1h_mtok, input) ?? 2 * inputRate;
  const uncached = input - cacheRead - cacheWrite;
  const outputRate = rate(prices.output_mtok, input) ?? 0;
  const reasoningRate = rate(prices.output_reasoning_mtok, input);
  const reasoning = reasoningRate === undefined ? 0 : Math.min(usage.reasoningTokens ?? 0, output);
  const perRequest = rate(prices.requests_kcount, input);
  return (
    (uncached * inputRate +
      cacheRead * (cacheReadRate ?? 0) +
      (cacheWrite - cacheWrite1h) * (cacheWriteRate ?? 0) +
      cacheWrite1h * cacheWrite1hRate +
      (output - reasoning) * outputRate +
      reasoning * (reasoningRate ?? 0)) /
      1e6 +
    (perRequest ?? 0) / 1000
  );
}
