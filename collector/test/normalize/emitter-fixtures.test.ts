// One fixture per real emitter and call shape (../fixtures/emitters), built from each library's
// public source with the attribute names exactly as it writes them, run through decode, normalize
// and pricing. The fake providers of the report served: OpenAI gpt-4o-2024-08-06, 1200 prompt
// tokens of which 1000 cached, 300 completion of which 100 reasoning; Anthropic
// claude-sonnet-4-20250514, 1000 uncached input, 4000 cache read, 500 cache write, 800 output.
//
// Published prices (per million tokens): gpt-4o-2024-08-06 $2.50 input, $1.25 cached input, $10
// output; claude-sonnet-4-20250514 $3 input, $0.30 cache read, $3.75 cache write (5 min), $6 cache
// write (1 h), $15 output. Hence:
//   OpenAI, cache known:      200 × 2.5 + 1000 × 1.25 + 300 × 10            = $0.00475
//   OpenAI, cache not sent:   1200 × 2.5 + 300 × 10                         = $0.006
//   Anthropic, 5-min writes:  1000 × 3 + 4000 × 0.3 + 500 × 3.75 + 800 × 15 = $0.018075
//   Anthropic, 200 of the writes kept 1 h: 300 × 3.75 + 200 × 6 instead     = $0.018525

import { isCountedModelCall, type StoredSpan } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { FIXTURE_START_MS, loadEmitterFixture, storedSpans } from './emitter-fixture.ts';

interface Expected {
  model: string;
  provider: string;
  /** input (inclusive), cache read, cache write, of which 1 h, output (inclusive), reasoning */
  tokens: (number | null)[];
  costUsd: number | null;
  ttftMs: number | null;
  durationMs?: number;
  reportedCostUsd?: number | null;
  prompt?: [string | null, string | null];
}

const OPENAI = { model: 'gpt-4o-2024-08-06', provider: 'openai' };
const ANTHROPIC = { model: 'claude-sonnet-4-20250514', provider: 'anthropic' };
const OPENAI_FULL = [1200, 1000, null, null, 300, 100];
const ANTHROPIC_FULL = [5500, 4000, 500, null, 800, null];

const EXPECTED: Record<string, Record<string, Expected>> = {
  'otel-openai-v2': {
    // openai-v2 copies only prompt_tokens and completion_tokens on chat: no cache, no reasoning.
    chat: { ...OPENAI, tokens: [1200, null, null, null, 300, null], costUsd: 0.006, ttftMs: null },
    // Nor does it record a first-token time on streams.
    stream: { ...OPENAI, tokens: [1200, null, null, null, 300, null], costUsd: 0.006, ttftMs: null },
    // Responses: input_tokens_details.cached_tokens as gen_ai.usage.cache_read.input_tokens.
    responses: { ...OPENAI, tokens: [1200, 1000, null, null, 300, null], costUsd: 0.00475, ttftMs: null },
  },
  'openinference-python': {
    chat: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
    stream: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: 152 },
    responses: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
    anthropic: { ...ANTHROPIC, tokens: ANTHROPIC_FULL, costUsd: 0.018075, ttftMs: null },
  },
  'openllmetry-python': {
    chat: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
    // One gen_ai.content.completion.chunk event per chunk: the first is the TTFT.
    stream: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: 151 },
    responses: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
    anthropic: { ...ANTHROPIC, tokens: ANTHROPIC_FULL, costUsd: 0.018075, ttftMs: null },
  },
  'openlit-python': {
    // OpenLIT sets time_to_first_token on unstreamed calls too (the whole response time), and
    // cache_creation.input_tokens even when it is 0.
    chat: {
      ...OPENAI,
      tokens: [1200, 1000, 0, null, 300, 100],
      costUsd: 0.00475,
      ttftMs: 800,
      reportedCostUsd: 0.00475,
    },
    stream: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: 153, reportedCostUsd: 0.00475 },
    responses: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null, reportedCostUsd: 0.00475 },
    // Anthropic's own uncached count (1000) next to the cache parts: made inclusive by provider.
    anthropic: { ...ANTHROPIC, tokens: ANTHROPIC_FULL, costUsd: 0.018075, ttftMs: null, reportedCostUsd: 0.018075 },
    // 3000 uncached + 200 read + 100 written: the "part larger than the whole" check cannot see this.
    'anthropic-small-cache': {
      ...ANTHROPIC,
      tokens: [3300, 200, 100, null, 800, null],
      costUsd: (3000 * 3 + 200 * 0.3 + 100 * 3.75 + 800 * 15) / 1e6,
      ttftMs: null,
    },
  },
  'langfuse-python': {
    // usage_details is OpenAI's own usage object: prompt_tokens already includes the cached part.
    chat: {
      ...OPENAI,
      tokens: OPENAI_FULL,
      costUsd: 0.00475,
      ttftMs: null,
      prompt: ['support-answer', '3'],
    },
    // completion_start_time, a JSON-quoted ISO time with microseconds.
    stream: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: 151 },
    responses: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
  },
  logfire: {
    // Cache and reasoning only in gen_ai.usage.raw; operation.cost is Logfire's own price.
    chat: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null, reportedCostUsd: 0.00475 },
    // The CLIENT span (6 ms, no usage) and the stream log are one call: the log's usage, the
    // stream's 550 ms. Logfire records no first-token time, so TTFT is unknown.
    stream: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null, durationMs: 550 },
    responses: { ...OPENAI, tokens: OPENAI_FULL, costUsd: 0.00475, ttftMs: null },
    // Anthropic's usage says how the writes split by cache lifetime: all 500 for five minutes.
    anthropic: {
      ...ANTHROPIC,
      tokens: [5500, 4000, 500, 0, 800, null],
      costUsd: 0.018075,
      ttftMs: null,
      reportedCostUsd: 0.018075,
    },
    // cache_creation.ephemeral_1h_input_tokens: 200 of the 500 writes billed at the 1-hour rate.
    'anthropic-stream': {
      ...ANTHROPIC,
      tokens: [5500, 4000, 500, 200, 800, null],
      costUsd: 0.018525,
      ttftMs: null,
      durationMs: 1950,
    },
  },
};

const tokens = (s: StoredSpan) => [
  s.inputTokens,
  s.cacheReadTokens,
  s.cacheWriteTokens,
  s.cacheWrite1hTokens,
  s.outputTokens,
  s.reasoningTokens,
];

for (const [library, cases] of Object.entries(EXPECTED)) {
  const fixture = loadEmitterFixture(library);
  describe(`${fixture.library} ${fixture.version}`, () => {
    it('has a fixture for every expected call shape and an expectation for every fixture', () => {
      expect(Object.keys(fixture.cases).sort()).toEqual(Object.keys(cases).sort());
    });
    for (const [shape, expected] of Object.entries(cases)) {
      it(`${shape}: one model call, tokens in Vigil's convention, cost to 1e-9`, () => {
        const spans = storedSpans(fixture.cases[shape]!);
        const calls = spans.filter(isCountedModelCall);
        expect(
          calls.map((s) => s.name),
          `model calls among ${spans.map((s) => s.name).join(', ')}`,
        ).toHaveLength(1);
        const call = calls[0]!;
        expect({ model: call.model, provider: call.provider }).toEqual({
          model: expected.model,
          provider: expected.provider,
        });
        expect(tokens(call)).toEqual(expected.tokens);
        if (expected.costUsd === null) expect(call.costUsd).toBeNull();
        else expect(Math.abs(call.costUsd! - expected.costUsd)).toBeLessThan(1e-9);
        expect(call.costSource).toBe('catalog');
        if (expected.ttftMs === null) expect(call.ttftMs).toBeNull();
        else expect(call.ttftMs).toBeCloseTo(expected.ttftMs, 3);
        if (expected.durationMs !== undefined) {
          expect(call.durationMs).toBeCloseTo(expected.durationMs, 3);
          expect(call.startMs + call.durationMs!).toBeLessThanOrEqual(
            Math.max(...spans.map((s) => s.startMs + (s.durationMs ?? 0))),
          );
          expect(call.startMs).toBeGreaterThanOrEqual(FIXTURE_START_MS);
        }
        if (expected.reportedCostUsd !== undefined) expect(call.reportedCostUsd).toBe(expected.reportedCostUsd);
        if (expected.prompt) expect([call.promptName, call.promptVersion]).toEqual(expected.prompt);
        // Everything else in the request is not a call and carries no usage of its own.
        for (const other of spans.filter((s) => s !== call)) expect(other.inputTokens).toBeNull();
      });
    }
  });
}
