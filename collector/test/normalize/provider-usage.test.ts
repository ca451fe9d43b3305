// Usage passed on as the provider's own object (Langfuse's usage_details from its Python SDK,
// Logfire's gen_ai.usage.raw), read in its provider's convention and priced to the cent's
// billionth. The fake providers of the report served: OpenAI gpt-4o-2024-08-06, 1200 prompt tokens
// of which 1000 cached, 300 completion of which 100 reasoning; Anthropic claude-sonnet-4-20250514,
// 1000 uncached input, 4000 cache read, 500 cache write, 800 output.

import { createPriceCatalog, type StoredSpan } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import type { Attributes } from '../../src/otlp/types.ts';

const catalog = createPriceCatalog();
const AT = Date.parse('2026-10-01T12:00:00Z');

function call(attributes: Attributes): StoredSpan {
  return normalizeSpan(
    {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: null,
      name: 'chat',
      kind: 3,
      startMs: AT,
      durationMs: 2000,
      statusCode: 0,
      statusMessage: '',
      attributes,
      events: [],
    },
    {},
    { tenantKeys: [], captureContent: false },
  );
}

const tokens = (s: StoredSpan) => [
  s.inputTokens,
  s.cacheReadTokens,
  s.cacheWriteTokens,
  s.outputTokens,
  s.reasoningTokens,
];
const cost = (s: StoredSpan) => catalog.price({ provider: s.provider, model: s.model!, atMs: AT, usage: s }).costUsd;

// $2.50 input, $1.25 cached, $10 output per MTok: 200 × 2.5 + 1000 × 1.25 + 300 × 10.
const OPENAI_COST = 0.00475;
// $3 input, $0.30 read, $3.75 write (5 minutes), $15 output: 1000 × 3 + 4000 × 0.3 + 500 × 3.75 + 800 × 15.
const ANTHROPIC_COST = 0.018075;

const openai = {
  'gen_ai.system': 'openai',
  'gen_ai.request.model': 'gpt-4o-2024-08-06',
  'gen_ai.operation.name': 'chat',
};

describe('usage as the provider sent it', () => {
  it('Langfuse usage_details in the OpenAI chat shape: prompt_tokens already holds the cached part', () => {
    const span = call({
      ...openai,
      'langfuse.observation.usage_details': JSON.stringify({
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 100 },
      }),
    });
    expect(tokens(span)).toEqual([1200, 1000, null, 300, 100]);
    expect(cost(span)).toBeCloseTo(OPENAI_COST, 9);
  });

  it('Langfuse usage_details in the OpenAI Responses shape', () => {
    const span = call({
      ...openai,
      'langfuse.observation.usage_details': JSON.stringify({
        input_tokens: 1200,
        output_tokens: 300,
        input_tokens_details: { cached_tokens: 1000 },
        output_tokens_details: { reasoning_tokens: 100 },
      }),
    });
    expect(tokens(span)).toEqual([1200, 1000, null, 300, 100]);
    expect(cost(span)).toBeCloseTo(OPENAI_COST, 9);
  });

  it("Langfuse's own keys keep their rule: input is the uncached part", () => {
    const span = call({
      ...openai,
      'langfuse.observation.usage_details': JSON.stringify({ input: 200, input_cached_tokens: 1000, output: 300 }),
    });
    expect(tokens(span).slice(0, 2)).toEqual([1200, 1000]);
  });

  it("Logfire's gen_ai.usage.raw for Anthropic: input_tokens is the uncached part, cache counts beside it", () => {
    const span = call({
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 5500,
      'gen_ai.usage.output_tokens': 800,
      'gen_ai.usage.raw': JSON.stringify({
        input_tokens: 1000,
        cache_read_input_tokens: 4000,
        cache_creation_input_tokens: 500,
        output_tokens: 800,
      }),
    });
    expect(tokens(span)).toEqual([5500, 4000, 500, 800, null]);
    expect(cost(span)).toBeCloseTo(ANTHROPIC_COST, 9);
  });

  it("Logfire's gen_ai.usage.raw for OpenAI chat", () => {
    const span = call({
      ...openai,
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.raw': JSON.stringify({
        prompt_tokens: 1200,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1000 },
        completion_tokens_details: { reasoning_tokens: 100 },
      }),
    });
    expect(tokens(span)).toEqual([1200, 1000, null, 300, 100]);
    expect(cost(span)).toBeCloseTo(OPENAI_COST, 9);
  });
});
