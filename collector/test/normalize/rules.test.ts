import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import { inferProviderFromModel, normalizeProvider } from '../../src/normalize/provider.ts';
import { readUsage } from '../../src/normalize/usage.ts';
import type { Attributes, DecodedSpan } from '../../src/otlp/types.ts';

function span(attributes: Attributes, durationMs = 1000, events: DecodedSpan['events'] = []): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: null,
    name: 's',
    kind: 3,
    startMs: 1000,
    durationMs,
    statusCode: 0,
    statusMessage: '',
    attributes,
    events,
  };
}
const normalize = (attributes: Attributes, resource: Attributes = {}, tenantKeys = ['tenant.id'], durationMs = 1000) =>
  normalizeSpan(span(attributes, durationMs), resource, { tenantKeys, captureContent: false });

describe('normalisation rules', () => {
  it('normalises provider names and infers them from the model only when nothing names them', () => {
    expect(
      [
        'openai.chat',
        'openai.responses',
        'OpenAI',
        'anthropic.messages',
        'amazon-bedrock',
        'google.vertex.chat',
        'mistral',
        'xai',
        'az.ai.openai',
      ].map(normalizeProvider),
    ).toEqual([
      'openai',
      'openai',
      'openai',
      'anthropic',
      'aws.bedrock',
      'gcp.vertex_ai',
      'mistral_ai',
      'x_ai',
      'azure.ai.openai',
    ]);
    expect(['gpt-4o', 'o3-mini', 'claude-3-opus', 'gemini-2.0-flash', 'llama-3'].map(inferProviderFromModel)).toEqual([
      'openai',
      'openai',
      'anthropic',
      'gcp.gemini',
      null,
    ]);
    expect(normalize({ 'gen_ai.request.model': 'claude-3-5-sonnet', 'gen_ai.usage.input_tokens': 1 }).provider).toBe(
      'anthropic',
    );
  });

  it('reads numbers sent as strings and ignores garbage', () => {
    expect(
      readUsage(
        {
          'gen_ai.usage.input_tokens': '25',
          'gen_ai.usage.output_tokens': 'lots',
          'gen_ai.usage.cache_read.input_tokens': -3,
        },
        'openai',
      ),
    ).toEqual({
      inputTokens: 25,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      cacheWrite1hTokens: null,
      reasoningTokens: null,
    });
  });

  it('never lets a cache part exceed the whole: an exclusive input count is made inclusive', () => {
    // An instrumentation that copied Anthropic's own input_tokens (uncached only).
    const usage = readUsage(
      {
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.cache_read.input_tokens': 4000,
        'gen_ai.usage.output_tokens': 10,
      },
      'anthropic',
    );
    expect(usage.inputTokens).toBe(4100);
  });

  it("counts input the emitter's way: semconv emitters inclusive, OpenLIT as the provider does", () => {
    const counts = {
      'gen_ai.usage.input_tokens': 3000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
    };
    // A semconv-conformant emitter (the AI SDK 7, OpenLLMetry) already counted the cache parts.
    expect(readUsage(counts, 'anthropic', 'semconv').inputTokens).toBe(3000);
    // OpenLIT copies Anthropic's and Bedrock's uncached count, and OpenAI's inclusive one.
    expect(readUsage(counts, 'anthropic', 'provider').inputTokens).toBe(3300);
    expect(readUsage(counts, 'aws.bedrock', 'provider').inputTokens).toBe(3300);
    expect(readUsage(counts, 'openai', 'provider').inputTokens).toBe(3000);
    const chat = { ...counts, 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' };
    const options = { tenantKeys: [], captureContent: false };
    expect(normalizeSpan(span(chat), {}, options, 'openlit.instrumentation.anthropic').inputTokens).toBe(3300);
    expect(normalizeSpan(span(chat), { 'telemetry.sdk.name': 'openlit' }, options).inputTokens).toBe(3300);
    expect(normalizeSpan(span(chat), {}, options, 'ai').inputTokens).toBe(3000);
  });

  it('never counts a Logfire pending span (a copy of an open span) as a model call', () => {
    const chat = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'logfire.span_type': 'pending_span',
    };
    expect(normalize(chat).category).toBe('other');
    expect(normalize({ ...chat, 'logfire.span_type': 'span' }).category).toBe('model');
  });

  it("keeps the managed prompt's name and version as dimensions, though content is dropped", () => {
    const stored = normalize({
      'gen_ai.operation.name': 'chat',
      'gen_ai.prompt.name': 'support-answer',
      'gen_ai.prompt.version': 'v12',
      'gen_ai.prompt.0.content': 'the prompt text',
    });
    expect([stored.promptName, stored.promptVersion]).toEqual(['support-answer', 'v12']);
    expect(stored.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.prompt.name': 'support-answer',
      'gen_ai.prompt.version': 'v12',
    });
  });

  it('uses the project tenant keys first, then the span, then the resource', () => {
    expect(normalize({ org: 'o-1', 'tenant.id': 't-1' }, {}, ['org', 'tenant.id']).tenantId).toBe('o-1');
    expect(normalize({}, { 'tenant.id': 'from-resource' }).tenantId).toBe('from-resource');
    expect(normalize({ 'tenant.id': 'span' }, { 'tenant.id': 'resource' }).tenantId).toBe('span');
    expect(normalize({ 'tenant.id': 42 }).tenantId).toBe('42');
    expect(normalize({ 'tenant.id': '  ' }).tenantId).toBeNull();
  });

  it('drops a TTFT longer than the span (a unit error) instead of reporting the whole duration', () => {
    const attributes = { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.operation.name': 'chat' };
    expect(
      normalize({ ...attributes, 'gen_ai.response.time_to_first_chunk': 0.3 }, {}, ['tenant.id'], 1000).ttftMs,
    ).toBeCloseTo(300, 9);
    expect(
      normalize({ ...attributes, 'gen_ai.response.time_to_first_chunk': 300 }, {}, ['tenant.id'], 1000).ttftMs,
    ).toBeNull();
    const withEvent = normalizeSpan(
      span(attributes, 1000, [{ name: 'ai.stream.firstChunk', timeMs: 1250, attributes: {} }]),
      {},
      { tenantKeys: [], captureContent: false },
    );
    expect(withEvent.ttftMs).toBe(250);
  });

  it('takes TTFT from the first first-chunk event: OpenInference, and the first of OpenLLMetry chunk events', () => {
    const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' };
    const at = (name: string, ms: number) => ({ name, timeMs: 1000 + ms, attributes: {} });
    const ttftOf = (events: DecodedSpan['events']) =>
      normalizeSpan(span(chat, 1000, events), {}, { tenantKeys: [], captureContent: false }).ttftMs;
    expect(ttftOf([at('First Token Stream Event', 150)])).toBe(150);
    expect(
      ttftOf([
        at('gen_ai.content.completion.chunk', 160),
        at('gen_ai.content.completion.chunk', 170),
        at('gen_ai.content.completion.chunk', 400),
      ]),
    ).toBe(160);
    expect(ttftOf([at('something else', 100)])).toBeNull();
  });

  it('reads a Logfire scrub marker as no value, not as an id', () => {
    const scrubbed = normalize({ 'session.id': "[Scrubbed due to 'session']", 'user.id': 'u-1' });
    expect(scrubbed.sessionId).toBeNull();
    expect(scrubbed.userId).toBe('u-1');
    expect(normalize({ 'tenant.id': '[Scrubbed due to cycle]' }).tenantId).toBeNull();
  });

  it('classifies db, cache, http and tool spans', () => {
    expect(normalize({ 'db.system.name': 'postgresql' }).category).toBe('db');
    expect(normalize({ 'db.system': 'redis' }).category).toBe('cache');
    expect(normalize({ 'cache.hit': true, 'app.semantic_cache': 'v1' }).category).toBe('cache');
    expect(normalize({ 'http.request.method': 'GET' }).category).toBe('http');
    expect(normalize({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }).category).toBe('other');
    expect(normalize({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 10 })).toMatchObject({
      category: 'other',
      wrapper: true,
    });
  });

  it('marks errors from the status or error.type', () => {
    const failed = normalizeSpan(
      { ...span({}), statusCode: 2, statusMessage: 'boom' },
      {},
      {
        tenantKeys: [],
        captureContent: false,
      },
    );
    expect(failed).toMatchObject({ status: 'error', statusMessage: 'boom' });
    expect(normalize({ 'error.type': 'timeout' })).toMatchObject({ status: 'error', statusMessage: 'timeout' });
  });
});
