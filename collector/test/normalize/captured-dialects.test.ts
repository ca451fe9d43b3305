// Spans as the peers' own packages emit them: each instrumentation runs in its own Node process
// against the local fake OpenAI and Anthropic servers, which report known usage (../peers). Its
// spans come back as an OTLP/JSON body and are decoded and normalised as the collector does. The
// hand-written fixtures in ../fixtures/dialects cover the dialects whose packages are not run here.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import type { StoredSpan as NormalizedSpan } from '@vigil/core';
import { PEER_TTFT_MS } from '../peers/behaviour.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';

const LIMITS = DEFAULT_DECODE_LIMITS;
const CAPTURE = path.join(import.meta.dirname, '../peers/capture.ts');

async function capture(name: string): Promise<NormalizedSpan[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [CAPTURE, name], { maxBuffer: 16 * 1024 * 1024 });
  const decoded = decodeJsonTraces(stdout, LIMITS);
  return decoded.resourceSpans
    .flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => normalizeSpan(s, rs.resource, { tenantKeys: ['tenant.id'], captureContent: false })),
      ),
    )
    .sort((a, b) => a.startMs - b.startMs);
}

/** The spans that count as model calls: exactly one per provider request. */
async function modelCall(name: string): Promise<NormalizedSpan> {
  const spans = await capture(name);
  const calls = spans.filter((s) => s.category === 'model' && !s.wrapper);
  expect(
    calls.map((s) => s.name),
    `${name}: model calls among ${spans.map((s) => s.name).join(', ')}`,
  ).toHaveLength(1);
  return calls[0]!;
}

const tokens = (s: NormalizedSpan) => [
  s.inputTokens,
  s.cacheReadTokens,
  s.cacheWriteTokens,
  s.outputTokens,
  s.reasoningTokens,
];

// What the fake servers report (../peers/behaviour.ts), as the collector should count it: input
// tokens in all (cache reads and writes included), cache reads, cache writes, output, reasoning.
const OPENAI_TOKENS = [1200, 1024, null, 20, 8];
const ANTHROPIC_TOKENS = [3000, 2000, 500, 20, null];

describe('Vercel AI SDK 7 (ai, @ai-sdk/otel)', () => {
  it('GenAI semconv spans, OpenAI: the chat span is the call, invoke_agent and the step wrap it', async () => {
    const call = await modelCall('vercel-semconv-openai');
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    // Semconv usage names no reasoning tokens; input includes the cache reads.
    expect(tokens(call)).toEqual([1200, 1024, null, 20, null]);
  });

  it('GenAI semconv spans, Anthropic streamed: input counts cache reads and writes', async () => {
    const call = await modelCall('vercel-semconv-anthropic-stream');
    expect(call).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    // gen_ai.client.operation.time_to_first_chunk, in seconds; the fake server waits PEER_TTFT_MS.
    expect(call.ttftMs).toBeGreaterThanOrEqual(PEER_TTFT_MS);
    expect(tokens(call)).toEqual(ANTHROPIC_TOKENS);
  });

  it('ai.* spans (LegacyOpenTelemetry, the SDK 3 to 6 names), OpenAI: cache reads inside the input, reasoning inside the output', async () => {
    const call = await modelCall('vercel-legacy-openai');
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(tokens(call)).toEqual(OPENAI_TOKENS);
  });

  it('ai.* spans, Anthropic streamed: input is uncached + cache reads + cache writes', async () => {
    const call = await modelCall('vercel-legacy-anthropic-stream');
    expect(call).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    // ai.response.msToFirstChunk, in milliseconds.
    expect(call.ttftMs).toBeGreaterThanOrEqual(PEER_TTFT_MS);
    expect(tokens(call)).toEqual(ANTHROPIC_TOKENS);
  });
});

describe('OpenLLMetry (@traceloop/instrumentation-openai)', () => {
  it('OpenAI chat: prompt tokens include the cached ones', async () => {
    const call = await modelCall('openllmetry-openai');
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(call.inputTokens).toBe(1200);
    expect(call.outputTokens).toBe(20);
  });
});

describe('OpenInference (@arizeai/openinference-instrumentation-openai)', () => {
  it('OpenAI chat: the LLM span carries the prompt count (cache included) and the output', async () => {
    const call = await modelCall('openinference-openai');
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(call.inputTokens).toBe(1200);
    expect(call.outputTokens).toBe(20);
  });

  it('OpenAI chat, streamed: the package records no usage on streams, so tokens stay unknown, never zero', async () => {
    const call = await modelCall('openinference-openai-stream');
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(tokens(call)).toEqual([null, null, null, null, null]);
  });
});
