import type { TokenUsage } from '../usage.ts';

export interface PriceQuery {
  /** Normalised provider id (openai, anthropic, ...) or null when the span did not say. */
  provider: string | null;
  model: string;
  /** When the call happened, epoch ms: prices change over time. */
  atMs: number;
  usage: TokenUsage;
}

/** USD per million tokens, as a project's own override of the catalog. */
export interface ModelPriceOverride {
  provider: string | null;
  /** Exact model id as spans report it. */
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number | null;
  cacheWritePerMTok: number | null;
  /** Reasoning tokens are usually billed as output; set only when a provider prices them apart. */
  reasoningPerMTok: number | null;
  /** Epoch ms from which this price applies. */
  validFromMs: number;
}

export interface PriceResult {
  /** Null when the model is unknown to the catalog and to the project's overrides: never zero. */
  costUsd: number | null;
  source: 'override' | 'catalog' | null;
}
