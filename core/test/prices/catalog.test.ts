// Cost test vectors worked out by hand from the catalog's published per-million-token prices.

import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { CATALOG_PINNED_VERSION, installedCatalogVersion } from '../../src/prices/catalog-data.ts';
import { catalogInfo, createPriceCatalog } from '../../src/prices/catalog.ts';
import type { TokenUsage } from '../../src/usage.ts';

const usage = (u: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  cacheWrite1hTokens: null,
  reasoningTokens: null,
  ...u,
});
const AT = Date.parse('2026-10-01T12:00:00Z');
const catalog = createPriceCatalog();
const price = (provider: string | null, model: string, u: Partial<TokenUsage>) =>
  catalog.price({ provider, model, atMs: AT, usage: usage(u) });

describe('price catalog', () => {
  it('is the pinned version of @pydantic/genai-prices, with its date', () => {
    expect(installedCatalogVersion()).toBe(CATALOG_PINNED_VERSION);
    expect(catalogInfo()).toEqual({ library: '@pydantic/genai-prices', version: '0.1.8', dataDate: '2026-09-23' });
  });

  it('prices plain input and output (gpt-4o-mini: $0.15 in, $0.60 out per MTok)', () => {
    expect(price('openai', 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 }).costUsd).toBeCloseTo(
      0.15 + 0.6,
      12,
    );
  });

  it('prices OpenAI cached input at the cache-read rate and never counts it twice', () => {
    // gpt-4o: $2.50 in, $1.25 cache read, $10 out. 1000 input of which 800 cached, 100 output.
    const expected = (200 * 2.5 + 800 * 1.25 + 100 * 10) / 1e6;
    const result = price('openai', 'gpt-4o', { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 100 });
    expect(result).toEqual({ costUsd: expect.closeTo(expected, 15), source: 'catalog' });
    const doubleCounted = (1000 * 2.5 + 800 * 1.25 + 100 * 10) / 1e6;
    expect(result.costUsd).not.toBeCloseTo(doubleCounted, 9);
  });

  it('prices Anthropic cache reads and writes (claude-sonnet-4: $3 in, $3.75 write, $0.30 read, $15 out)', () => {
    const u = { inputTokens: 10_000, cacheReadTokens: 6_000, cacheWriteTokens: 3_000, outputTokens: 500 };
    const expected = (1_000 * 3 + 6_000 * 0.3 + 3_000 * 3.75 + 500 * 15) / 1e6;
    expect(price('anthropic', 'claude-sonnet-4-20250514', u).costUsd).toBeCloseTo(expected, 15);
  });

  it('bills reasoning tokens as output, once (o3-mini: $1.10 in, $4.40 out)', () => {
    // 2000 output tokens of which 1500 reasoning: output already includes them.
    expect(
      price('openai', 'o3-mini', { inputTokens: 1000, outputTokens: 2000, reasoningTokens: 1500 }).costUsd,
    ).toBeCloseTo((1000 * 1.1 + 2000 * 4.4) / 1e6, 15);
  });

  it('applies a tier to the whole call above its threshold (gemini-2.5-pro: $1.25/$10 up to 200k input, $2.50/$15 above)', () => {
    expect(price('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 100_000, outputTokens: 1000 }).costUsd).toBeCloseTo(
      (100_000 * 1.25 + 1000 * 10) / 1e6,
      12,
    );
    expect(price('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 300_000, outputTokens: 1000 }).costUsd).toBeCloseTo(
      (300_000 * 2.5 + 1000 * 15) / 1e6,
      12,
    );
  });

  it('leaves an unknown model null, never zero', () => {
    expect(price('openai', 'acme-secret-model', { inputTokens: 10, outputTokens: 10 })).toEqual({
      costUsd: null,
      source: null,
    });
  });

  it('leaves a known model null, never zero, when the call reports no token counts', () => {
    expect(price('openai', 'gpt-4o-mini', {})).toEqual({ costUsd: null, source: 'catalog' });
    expect(price('anthropic', 'claude-sonnet-4-20250514', { cacheReadTokens: 100 }).costUsd).toBeNull();
    // Embeddings report input only: that is a known usage, priced.
    expect(price('openai', 'text-embedding-3-small', { inputTokens: 1_000_000 }).costUsd).toBeCloseTo(0.02, 9);
  });

  it('resolves model strings as they appear in the wild', () => {
    for (const [provider, model] of [
      [null, 'gpt-4o-2024-08-06'],
      [null, 'claude-sonnet-4-20250514'],
      [null, 'openai/gpt-4o-mini'],
      [null, 'anthropic/claude-3-5-haiku-20241022'],
      ['gcp.vertex_ai', 'models/gemini-1.5-pro'],
      ['aws.bedrock', 'claude-3-5-haiku-20241022'],
    ] as const) {
      expect(price(provider, model, { inputTokens: 1000, outputTokens: 100 }).costUsd, model).toBeGreaterThan(0);
    }
  });

  it('prefers a project override, choosing the one valid at the call time', () => {
    const withOverrides = createPriceCatalog([
      {
        provider: null,
        model: 'gpt-4o',
        inputPerMTok: 1,
        outputPerMTok: 2,
        cacheReadPerMTok: 0.5,
        cacheWritePerMTok: null,
        reasoningPerMTok: null,
        validFromMs: Number.NEGATIVE_INFINITY,
      },
      {
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMTok: 10,
        outputPerMTok: 20,
        cacheReadPerMTok: null,
        cacheWritePerMTok: null,
        reasoningPerMTok: null,
        validFromMs: Date.parse('2026-11-01'),
      },
    ]);
    const u = usage({ inputTokens: 1_000_000, cacheReadTokens: 500_000, outputTokens: 1_000_000 });
    expect(withOverrides.price({ provider: 'openai', model: 'gpt-4o', atMs: AT, usage: u })).toEqual({
      costUsd: expect.closeTo(0.5 + 0.25 + 2, 12),
      source: 'override',
    });
    expect(
      withOverrides.price({ provider: 'openai', model: 'gpt-4o', atMs: Date.parse('2026-11-15'), usage: u }).costUsd,
    ).toBeCloseTo(10 + 20, 12);
    expect(
      withOverrides.price({ provider: 'azure.ai.openai', model: 'gpt-4o', atMs: Date.parse('2026-11-15'), usage: u })
        .costUsd,
    ).toBeCloseTo(0.5 + 0.25 + 2, 12);
  });

  it("agrees with the library's own calcPrice across its catalog", () => {
    const models = [
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4.1'],
      ['openai', 'o3-mini'],
      ['openai', 'o1'],
      ['openai', 'gpt-5'],
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['anthropic', 'claude-3-5-haiku-20241022'],
      ['anthropic', 'claude-opus-4-1'],
      ['google', 'gemini-2.5-pro'],
      ['google', 'gemini-2.0-flash'],
      ['google', 'gemini-2.5-flash'],
      ['mistral', 'mistral-large-latest'],
      ['deepseek', 'deepseek-chat'],
      ['deepseek', 'deepseek-reasoner'],
      ['x-ai', 'grok-3'],
      ['groq', 'llama-3.3-70b-versatile'],
    ];
    const vigilProvider: Record<string, string> = { google: 'gcp.gemini', mistral: 'mistral_ai', 'x-ai': 'x_ai' };
    let compared = 0;
    for (const [provider, model] of models) {
      for (const u of [
        { input_tokens: 5000, cache_read_tokens: 1000, cache_write_tokens: 500, output_tokens: 700 },
        { input_tokens: 250_000, cache_read_tokens: 50_000, output_tokens: 2000 },
      ]) {
        for (const at of ['2025-06-01T03:00:00Z', '2026-10-01T12:00:00Z', '2026-10-01T02:00:00Z']) {
          const theirs = calcPrice(u, model!, { providerId: provider!, timestamp: new Date(at) });
          if (!theirs) continue;
          const ours = catalog.price({
            provider: vigilProvider[provider!] ?? provider!,
            model: model!,
            atMs: Date.parse(at),
            usage: usage({
              inputTokens: u.input_tokens,
              cacheReadTokens: u.cache_read_tokens,
              cacheWriteTokens: u.cache_write_tokens ?? null,
              outputTokens: u.output_tokens,
            }),
          });
          expect(ours.costUsd, `${model} ${JSON.stringify(u)} ${at}`).toBeCloseTo(theirs.total_price, 12);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });
});
