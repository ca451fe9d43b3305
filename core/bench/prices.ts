// node core/bench/prices.ts — price lookups per second after warm-up, against the library's own
// calcPrice on the same calls.

import { calcPrice } from '@pydantic/genai-prices';
import { createPriceCatalog } from '../src/prices/catalog.ts';

const MODELS: [string, string, string][] = [
  ['openai', 'openai', 'gpt-4o-mini'],
  ['openai', 'openai', 'gpt-4o'],
  ['openai', 'openai', 'o3-mini'],
  ['openai', 'openai', 'gpt-4.1'],
  ['anthropic', 'anthropic', 'claude-sonnet-4-20250514'],
  ['anthropic', 'anthropic', 'claude-3-5-haiku-20241022'],
  ['gcp.gemini', 'google', 'gemini-2.0-flash'],
  ['gcp.gemini', 'google', 'gemini-2.5-pro'],
  ['mistral_ai', 'mistral', 'mistral-large-latest'],
  ['deepseek', 'deepseek', 'deepseek-chat'],
];
const catalog = createPriceCatalog();
const usage = {
  inputTokens: 3000,
  outputTokens: 400,
  cacheReadTokens: 1000,
  cacheWriteTokens: null,
  cacheWrite1hTokens: null,
  reasoningTokens: null,
};
const at = Date.now();

function ours(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [provider, , model] = MODELS[i % MODELS.length]!;
    sum += catalog.price({ provider, model, atMs: at, usage }).costUsd ?? 0;
  }
  return sum;
}

function theirs(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [, providerId, model] = MODELS[i % MODELS.length]!;
    sum +=
      calcPrice({ input_tokens: 3000, output_tokens: 400, cache_read_tokens: 1000 }, model, { providerId })
        ?.total_price ?? 0;
  }
  return sum;
}

ours(10_000);
let started = performance.now();
ours(2_000_000);
const oursPerS = 2_000_000 / ((performance.now() - started) / 1000);
theirs(1000);
started = performance.now();
theirs(50_000);
const theirsPerS = 50_000 / ((performance.now() - started) / 1000);
console.log(
  `prices calls_per_s=${Math.round(oursPerS)} calcPrice_calls_per_s=${Math.round(theirsPerS)} speedup=${(oursPerS / theirsPerS).toFixed(0)}`,
);
