// Agent events → model calls: the rules of normalize/log-calls.ts, then the ordinary normalize
// stage over the span each rule builds, on records shaped as Claude Code, Gemini CLI and Codex CLI
// send them (attribute names from Claude Code's monitoring docs, Gemini CLI's telemetry/types.ts
// and Codex's codex-rs/otel SessionTelemetry).

import { describe, expect, it } from 'vitest';
import { eventNameOf, modelCallOfLogRecord } from '../../src/normalize/log-calls.ts';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import type { Attributes, DecodedLogRecord } from '../../src/otlp/types.ts';

const CLAUDE_RESOURCE: Attributes = {
  'service.name': 'claude-code',
  'service.version': '2.1.3',
  'os.type': 'linux',
};

function record(attributes: Attributes, overrides: Partial<DecodedLogRecord> = {}): DecodedLogRecord {
  return {
    timeMs: 1_765_000_010_000,
    severityNumber: 9,
    eventName: '',
    body: 'claude_code.api_request',
    attributes,
    traceId: null,
    spanId: null,
    ...overrides,
  };
}

// Claude Code sends its standard attributes on every event, and its numbers as strings.
const apiRequest: Attributes = {
  'event.name': 'api_request',
  'event.timestamp': '2025-12-06T05:46:50.000Z',
  'event.sequence': 7,
  'session.id': 'sess-1',
  'prompt.id': 'prompt-1',
  'user.id': 'c0ffee-install-hash',
  'user.account_uuid': 'acct-1',
  'user.email': 'dev@example.com',
  'organization.id': 'org-1',
  'terminal.type': 'vscode',
  model: 'claude-sonnet-4-5-20250929',
  input_tokens: '12',
  output_tokens: '340',
  cache_read_tokens: '100',
  cache_creation_tokens: '50',
  cost_usd: '0.0123',
  duration_ms: '2500',
  speed: 'normal',
  // What an agent told to log bodies might add: never kept.
  'request.body': '{"messages":[{"role":"user","content":"secret plan"}]}',
};

const options = { tenantKeys: ['tenant.id'], captureContent: false };

function normalized(attributes: Attributes, resource = CLAUDE_RESOURCE, overrides: Partial<DecodedLogRecord> = {}) {
  const span = modelCallOfLogRecord(record(attributes, overrides), resource, 0);
  if (!span) throw new Error('not a model call');
  return normalizeSpan(span, resource, options);
}

describe('agent events as model calls', () => {
  it('reads a Claude Code api_request as a priced model call with its user, session and organisation', () => {
    const span = normalized(apiRequest);
    expect(span).toMatchObject({
      name: 'claude_code.api_request',
      kind: 3,
      category: 'model',
      status: 'ok',
      serviceName: 'claude-code',
      deployment: '2.1.3',
      model: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic',
      // Anthropic's input count leaves out the cached parts; Vigil's includes them.
      inputTokens: 162,
      outputTokens: 340,
      cacheReadTokens: 100,
      cacheWriteTokens: 50,
      reasoningTokens: null,
      reportedCostUsd: 0.0123,
      sessionId: 'sess-1',
      userId: 'dev@example.com',
      tenantId: 'org-1',
      startMs: 1_765_000_010_000 - 2500,
      durationMs: 2500,
    });
    expect(span.attributes['request.body']).toBeUndefined();
    expect(span.attributes['terminal.type']).toBe('vscode');
  });

  it('takes numbers sent as numbers too, and leaves unsent counts unknown (null)', () => {
    const span = normalized({
      'event.name': 'api_request',
      model: 'claude-haiku-4-5',
      input_tokens: 10,
      output_tokens: 5,
      duration_ms: 100,
    });
    expect(span).toMatchObject({ inputTokens: 10, outputTokens: 5, cacheReadTokens: null, reportedCostUsd: null });
  });

  it('counts a Claude Code api_error as a failed model call without usage', () => {
    const span = normalized(
      {
        'event.name': 'api_error',
        'session.id': 'sess-1',
        model: 'claude-opus-4-1',
        error: 'Overloaded',
        status_code: '529',
        duration_ms: '800',
        attempt: '2',
      },
      CLAUDE_RESOURCE,
      { body: 'claude_code.api_error' },
    );
    expect(span).toMatchObject({
      category: 'model',
      status: 'error',
      statusMessage: 'Overloaded',
      model: 'claude-opus-4-1',
      inputTokens: null,
      outputTokens: null,
      durationMs: 800,
    });
  });

  it('reads a Gemini CLI api_response: prompt tokens include the cache, thoughts are output', () => {
    const resource = { 'service.name': 'gemini-cli' };
    const span = normalized(
      {
        'event.name': 'gemini_cli.api_response',
        'event.timestamp': '2025-12-06T05:46:50.000Z',
        'session.id': 'g-1',
        'installation.id': 'inst-1',
        prompt_id: 'p-1',
        model: 'gemini-2.5-pro',
        duration_ms: 1200,
        input_token_count: 12000,
        output_token_count: 350,
        cached_content_token_count: 8000,
        thoughts_token_count: 420,
        tool_token_count: 0,
        total_token_count: 12770,
        status_code: 200,
        response_text: 'the answer',
      },
      resource,
      { body: 'API response from gemini-2.5-pro. Status: 200. Duration: 1200ms.' },
    );
    expect(span).toMatchObject({
      provider: 'gcp.gemini',
      model: 'gemini-2.5-pro',
      inputTokens: 12000,
      outputTokens: 770,
      reasoningTokens: 420,
      cacheReadTokens: 8000,
      userId: 'inst-1',
      sessionId: 'g-1',
    });
    expect(span.attributes.response_text).toBeUndefined();
  });

  // Codex CLI: its log_event! fields on every event, then the event's own.
  const CODEX_RESOURCE: Attributes = { 'service.name': 'codex_cli_rs', 'service.version': '0.77.0' };
  const codex = (fields: Attributes): Attributes => ({
    'event.timestamp': '2025-12-06T05:46:50.123Z',
    'conversation.id': 'conv-1',
    'app.version': '0.77.0',
    auth_mode: 'ApiKey',
    originator: 'codex_cli_rs',
    'user.account_id': 'acct-9',
    'user.email': 'dev@example.com',
    'terminal.type': 'iTerm.app',
    model: 'gpt-5-codex',
    slug: 'gpt-5-codex',
    ...fields,
  });

  it('reads a Codex CLI response.completed as a model call of unknown duration: input includes the cache, output reasoning', () => {
    const span = normalized(
      codex({
        'event.name': 'codex.sse_event',
        'event.kind': 'response.completed',
        input_token_count: '21000',
        output_token_count: '900',
        cached_token_count: 18000,
        reasoning_token_count: 512,
        tool_token_count: '21900',
      }),
      CODEX_RESOURCE,
      { body: '' },
    );
    expect(span).toMatchObject({
      provider: 'openai',
      model: 'gpt-5-codex',
      category: 'model',
      status: 'ok',
      inputTokens: 21000,
      outputTokens: 900,
      cacheReadTokens: 18000,
      reasoningTokens: 512,
      userId: 'dev@example.com',
      sessionId: 'conv-1',
      durationMs: null,
      startMs: 1_765_000_010_000,
      ttftMs: null,
    });
  });

  it('counts a failed Codex response or HTTP attempt as an error call, and no other Codex event as a call', () => {
    const call = (fields: Attributes) => modelCallOfLogRecord(record(codex(fields), { body: '' }), CODEX_RESOURCE, 0);
    const failed = normalized(
      codex({ 'event.name': 'codex.sse_event', 'event.kind': 'response.failed', 'error.message': 'rate limited' }),
      CODEX_RESOURCE,
      { body: '' },
    );
    expect(failed).toMatchObject({
      status: 'error',
      statusMessage: 'rate limited',
      durationMs: null,
      inputTokens: null,
    });
    const attempt = normalized(
      codex({ 'event.name': 'codex.api_request', duration_ms: '812', 'http.response.status_code': 500, attempt: 1 }),
      CODEX_RESOURCE,
      { body: '' },
    );
    expect(attempt).toMatchObject({ status: 'error', statusMessage: 'status 500', durationMs: 812 });
    expect(
      call({ 'event.name': 'codex.api_request', duration_ms: '640', 'http.response.status_code': 200 }),
    ).toBeNull();
    for (const kind of ['response.created', 'response.output_text.delta', 'response.output_item.done'])
      expect(call({ 'event.name': 'codex.sse_event', 'event.kind': kind, duration_ms: '3' })).toBeNull();
    expect(call({ 'event.name': 'codex.user_prompt', prompt_length: '12', prompt: '[REDACTED]' })).toBeNull();
    expect(call({ 'event.name': 'codex.tool_result', tool_name: 'shell', arguments: 'rm -rf /' })).toBeNull();
  });

  it('is not a model call for other events, nor for the GenAI details event that restates a Gemini response', () => {
    const at = (attributes: Attributes, overrides: Partial<DecodedLogRecord> = {}) =>
      modelCallOfLogRecord(record(attributes, overrides), CLAUDE_RESOURCE, 0);
    expect(at({ 'event.name': 'user_prompt', prompt: 'hi' }, { body: 'claude_code.user_prompt' })).toBeNull();
    expect(at({ 'event.name': 'tool_result' }, { body: 'claude_code.tool_result' })).toBeNull();
    expect(
      at({ 'event.name': 'gen_ai.client.inference.operation.details', 'gen_ai.usage.input_tokens': 5 }, { body: '' }),
    ).toBeNull();
    expect(at({}, { body: 'a plain log line' })).toBeNull();
  });

  it('names events by event_name first, then event.name, prefixed by the body when it is Claude Code style', () => {
    expect(eventNameOf(record({ 'event.name': 'api_request' }))).toBe('claude_code.api_request');
    expect(eventNameOf(record({ 'event.name': 'gemini_cli.api_response' }, { body: 'x' }))).toBe(
      'gemini_cli.api_response',
    );
    expect(eventNameOf(record({}, { eventName: 'claude_code.api_request', body: null }))).toBe(
      'claude_code.api_request',
    );
  });

  it('gives a retried record the same ids, and the calls of one prompt one trace', () => {
    const first = modelCallOfLogRecord(record(apiRequest), CLAUDE_RESOURCE, 0)!;
    const retried = modelCallOfLogRecord(record({ ...apiRequest }), CLAUDE_RESOURCE, 0)!;
    const next = modelCallOfLogRecord(record({ ...apiRequest, 'event.sequence': 8 }), CLAUDE_RESOURCE, 0)!;
    expect([retried.traceId, retried.spanId]).toEqual([first.traceId, first.spanId]);
    expect(next.traceId).toBe(first.traceId);
    expect(next.spanId).not.toBe(first.spanId);
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('makes a record sent inside a span a child of that span', () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const span = modelCallOfLogRecord(record(apiRequest, { traceId, spanId: 'b7ad6b7169203331' }), CLAUDE_RESOURCE, 0)!;
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe('b7ad6b7169203331');
    expect(span.spanId).not.toBe('b7ad6b7169203331');
  });

  it("lets the project's tenant key on the resource name the tenant before the organisation", () => {
    const span = normalized(apiRequest, { ...CLAUDE_RESOURCE, 'tenant.id': 'team-payments' });
    expect(span.tenantId).toBe('team-payments');
  });

  it('times a record without a timestamp by event.timestamp, else by its arrival', () => {
    const stamped = modelCallOfLogRecord(record(apiRequest, { timeMs: 0 }), CLAUDE_RESOURCE, 42)!;
    expect(stamped.startMs + (stamped.durationMs ?? 0)).toBe(Date.parse('2025-12-06T05:46:50.000Z'));
    const { 'event.timestamp': _, ...unstamped } = apiRequest;
    const arrived = modelCallOfLogRecord(record(unstamped, { timeMs: 0 }), CLAUDE_RESOURCE, 42)!;
    expect(arrived.startMs + (arrived.durationMs ?? 0)).toBe(42);
  });
});
