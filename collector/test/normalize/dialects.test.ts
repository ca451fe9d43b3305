// One fixture per span dialect (collector/test/fixtures/dialects), decoded and normalised as the
// collector does it. The expected numbers are worked out in the comments.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import type { StoredSpan as NormalizedSpan } from '@vigil/core';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';

const LIMITS = DEFAULT_DECODE_LIMITS;

function normalizeFixture(name: string, captureContent = false): NormalizedSpan[] {
  const text = readFileSync(path.join(import.meta.dirname, '../fixtures/dialects', `${name}.json`), 'utf8');
  const decoded = decodeJsonTraces(text, LIMITS);
  return decoded.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => normalizeSpan(s, rs.resource, { tenantKeys: ['tenant.id'], captureContent })),
    ),
  );
}

const tokens = (s: NormalizedSpan) => [
  s.inputTokens,
  s.cacheReadTokens,
  s.cacheWriteTokens,
  s.outputTokens,
  s.reasoningTokens,
];

describe('span dialects', () => {
  it('OTel GenAI semconv (current names): inclusive input, cache read and write, reasoning, TTFT in seconds', () => {
    const [span] = normalizeFixture('otel-genai-current');
    expect(span).toMatchObject({
      category: 'model',
      wrapper: false,
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      operation: 'chat',
      tenantId: 'acme',
      userId: 'u-1',
      sessionId: 'conv-7',
      deployment: '2026.11.2',
      environment: 'prod',
      serviceName: 'support-bot',
      ttftMs: 420,
    });
    // input 10000 already includes 6000 cache reads and 3000 cache writes: nothing is added.
    expect(tokens(span!)).toEqual([10000, 6000, 3000, 500, 100]);
  });

  it('OTel GenAI semconv (deprecated names): gen_ai.system and prompt/completion tokens', () => {
    const [span] = normalizeFixture('otel-genai-deprecated');
    expect(span).toMatchObject({
      category: 'model',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      environment: 'staging',
    });
    expect(tokens(span!)).toEqual([1200, null, null, 300, null]);
    expect(span!.events.map((e) => e.name)).toEqual([]); // gen_ai.user.message and gen_ai.choice carry content
  });

  it('OpenLLMetry: association properties name tenant, user and session; the workflow span is a wrapper', () => {
    const [workflow, chat] = normalizeFixture('openllmetry');
    expect(workflow).toMatchObject({ category: 'other', wrapper: false, tenantId: 'globex' });
    expect(chat).toMatchObject({
      category: 'model',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      tenantId: 'globex',
      userId: 'u-42',
      sessionId: 's-9',
    });
    // OpenAI's prompt_tokens include the 1024 cached ones.
    expect(tokens(chat!)).toEqual([2000, 1024, null, 150, null]);
  });

  it('OpenInference: LLM spans are model calls, CHAIN spans that repeat their counts are wrappers', () => {
    const [chain, llm] = normalizeFixture('openinference');
    expect(chain).toMatchObject({ category: 'other', wrapper: true, sessionId: 'sess-oi' });
    expect(llm).toMatchObject({
      category: 'model',
      wrapper: false,
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      operation: 'chat',
      userId: 'user-oi',
    });
    // llm.token_count.prompt (5000) includes the prompt_details parts.
    expect(tokens(llm!)).toEqual([5000, 3000, 1000, 200, null]);
  });

  it('Vercel AI SDK 4 with Anthropic: promptTokens exclude the cache, which providerMetadata reports', () => {
    const [outer, inner] = normalizeFixture('vercel-ai-v4');
    expect(outer).toMatchObject({ category: 'other', wrapper: true, tenantId: 'hooli' });
    expect(inner).toMatchObject({
      category: 'model',
      wrapper: false,
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      userId: 'u-v4',
      sessionId: 's-v4',
      tenantId: 'hooli',
      deployment: 'v42',
      ttftMs: 310.5,
    });
    // 800 uncached + 4000 cache reads + 1000 cache writes = 5800 input tokens in all.
    expect(tokens(inner!)).toEqual([5800, 4000, 1000, 120, null]);
  });

  it('Vercel AI SDK 5 with OpenAI: inputTokens include cachedInputTokens; reasoning is part of output', () => {
    const [outer, inner] = normalizeFixture('vercel-ai-v5');
    expect(outer).toMatchObject({ wrapper: true, category: 'other' });
    expect(inner).toMatchObject({
      category: 'model',
      provider: 'openai',
      model: 'o3-mini-2025-01-31',
      tenantId: 'hooli',
      userId: 'u-v5',
    });
    expect(tokens(inner!)).toEqual([3000, 1000, null, 500, 200]);
    // msToFirstChunk of 0 on a non-streamed call is not a TTFT to trust, but it is what was sent.
    expect(inner!.ttftMs).toBe(0);
  });

  it('OpenLIT: cost reported on the span, TTFT from gen_ai.server.time_to_first_token (seconds)', () => {
    const [span] = normalizeFixture('openlit');
    expect(span).toMatchObject({
      category: 'model',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      reportedCostUsd: 0.000165,
      ttftMs: 200,
      userId: 'u-ol',
      environment: 'prod',
    });
    expect(tokens(span!)).toEqual([900, 512, null, 100, 0]);
  });

  it('Langfuse: usage_details input excludes cached tokens; completion_start_time gives TTFT', () => {
    const [span] = normalizeFixture('langfuse');
    expect(span).toMatchObject({
      category: 'model',
      model: 'gpt-4o-mini',
      provider: 'openai',
      userId: 'u-lf',
      sessionId: 's-lf',
      deployment: 'v7',
      environment: 'staging',
      reportedCostUsd: 0.00012,
      ttftMs: 150,
    });
    // 200 uncached + 800 cached = 1000 input tokens.
    expect(tokens(span!)).toEqual([1000, 800, null, 50, null]);
  });

  it('LangSmith: ls_provider, ls_model_name and the session from langsmith.trace.session_id', () => {
    const [span] = normalizeFixture('langsmith');
    expect(span).toMatchObject({
      category: 'model',
      provider: 'openai',
      model: 'gpt-4o',
      sessionId: 'proj-session',
      userId: 'u-ls',
    });
    expect(tokens(span!)).toEqual([400, null, null, 60, null]);
  });

  it('drops prompts and completions from every dialect, and keeps them apart when content capture is on', () => {
    const fixtures = [
      'otel-genai-current',
      'openllmetry',
      'openinference',
      'vercel-ai-v4',
      'openlit',
      'langfuse',
      'langsmith',
    ];
    for (const name of fixtures) {
      const stored = JSON.stringify(normalizeFixture(name).map((s) => [s.attributes, s.events]));
      expect(stored, name).not.toMatch(/secret/);
    }
    // Captured, content is kept apart from the span (span_contents), never on it.
    const captured = normalizeFixture('openllmetry', true);
    expect(JSON.stringify(captured.map((s) => [s.attributes, s.events]))).not.toMatch(/secret/);
    expect(JSON.stringify(captured.map((s) => s.content?.attributes))).toContain('secret prompt');
  });
});
