// Model calls that arrive as log events: AI coding agents (Claude Code, Gemini CLI, Codex CLI)
// export one event per API request rather than a span. Each rule below turns such a record into the span the
// call would have been, in GenAI semconv terms, so it runs through the same normalize, price,
// trace-assembly and write stages as any span and lands in spans, ai_api_calls, rollups and
// sessions like one. Pure: a record and its resource in, a span or null out.
//
// Only the attributes listed here are kept: a record's other attributes (prompt text, tool input,
// raw API bodies when an agent is told to log them) never reach storage.
//
// Ids are derived from the record, so an exporter's retry of the same record is the same span and
// is stored once (the spans key). A record sent inside a span (trace and span id set) becomes that
// span's child: when the parent is itself a model call, the trace assembly makes the parent a
// wrapper, and the call is counted once whichever of the two arrives first.

import { createHash } from 'node:crypto';
import type { AttributeValue, Attributes, DecodedLogRecord, DecodedSpan } from '../otlp/types.ts';
import { toCount, toId, toNumber } from './values.ts';

/** What a rule reads off a record: usage in Vigil's convention (input includes cache, output reasoning). */
interface CallReading {
  model: string | null;
  /** Null when the event does not say: the span is stored with an unknown duration, never zero. */
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  /** The emitter's own estimate, stored as the reported cost. */
  costUsd: number | null;
  error: string | null;
}

interface LogCallRule {
  /** The event's full name (see eventNameOf). */
  event: string;
  provider: string;
  /** Attributes kept on the call as they are (descriptive, never content). */
  keep: readonly string[];
  /** The call the record reports, or null when this record of the event is not one. */
  read(a: Attributes): CallReading | null;
}

const NO_USAGE = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
  costUsd: null,
} as const;

function plus(whole: number | null, ...parts: (number | null)[]): number | null {
  return whole === null ? null : parts.reduce<number>((sum, part) => sum + (part ?? 0), whole);
}

// Claude Code (code.claude.com/docs/en/monitoring-usage): values may arrive as strings. Its
// `input_tokens` is Anthropic's count, without the cached parts, so they are added.
const CLAUDE_CODE_KEEP = [
  'prompt.id',
  'event.sequence',
  'organization.id',
  'terminal.type',
  'app.version',
  'speed',
  'effort',
  'query_source',
  'status_code',
  'attempt',
];

function claudeCodeRequest(a: Attributes): CallReading {
  const cacheRead = toCount(a.cache_read_tokens);
  const cacheWrite = toCount(a.cache_creation_tokens);
  return {
    model: toId(a.model),
    durationMs: toNumber(a.duration_ms),
    inputTokens: plus(toCount(a.input_tokens), cacheRead, cacheWrite),
    outputTokens: toCount(a.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: null,
    costUsd: toNumber(a.cost_usd),
    error: null,
  };
}

function apiError(a: Attributes): CallReading {
  return {
    ...NO_USAGE,
    model: toId(a.model),
    durationMs: toNumber(a.duration_ms),
    error: toId(a.error) ?? toId(a['error.message']) ?? `status ${toId(a.status_code) ?? 'unknown'}`,
  };
}

// Gemini CLI (packages/core/src/telemetry/types.ts, ApiResponseEvent): `input_token_count` is
// Gemini's promptTokenCount, which includes cached content; tool-use prompt tokens are billed as
// input besides it; `output_token_count` (candidates) excludes thoughts, which are added.
const GEMINI_KEEP = ['prompt_id', 'auth_type', 'status_code', 'role'];

function geminiResponse(a: Attributes): CallReading {
  const thoughts = toCount(a.thoughts_token_count);
  return {
    model: toId(a.model),
    durationMs: toNumber(a.duration_ms),
    inputTokens: plus(toCount(a.input_token_count), toCount(a.tool_token_count)),
    outputTokens: plus(toCount(a.output_token_count), thoughts),
    cacheReadTokens: toCount(a.cached_content_token_count),
    cacheWriteTokens: null,
    reasoningTokens: thoughts,
    costUsd: null,
    error: null,
  };
}

// Codex CLI (codex-rs/otel, SessionTelemetry): `codex.sse_event` is sent for every server-sent
// event of a response; the one of kind `response.completed` carries the call's usage in the
// Responses API's convention (input includes cached, output includes reasoning; its
// `tool_token_count` is the total) and no duration, so the call is stored with an unknown one.
// A `response.failed` event, a completed one with `error.message`, and an HTTP attempt
// (`codex.api_request`) that failed are error calls; a successful attempt is not a call of its
// own (its response's completed event is).
const CODEX_KEEP = ['event.kind', 'app.version', 'terminal.type', 'auth_mode', 'originator', 'slug', 'attempt'];

function codexSseEvent(a: Attributes): CallReading | null {
  const kind = a['event.kind'];
  const error = toId(a['error.message']);
  if (kind === 'response.failed' || (kind === 'response.completed' && error !== null))
    return { ...NO_USAGE, model: toId(a.model), durationMs: null, error: error ?? String(kind) };
  if (kind !== 'response.completed') return null;
  return {
    model: toId(a.model),
    durationMs: null,
    inputTokens: toCount(a.input_token_count),
    outputTokens: toCount(a.output_token_count),
    cacheReadTokens: toCount(a.cached_token_count),
    cacheWriteTokens: null,
    reasoningTokens: toCount(a.reasoning_token_count),
    costUsd: null,
    error: null,
  };
}

function codexApiRequest(a: Attributes): CallReading | null {
  const status = toNumber(a['http.response.status_code']);
  const error = toId(a['error.message']);
  if (error === null && status !== null && status >= 200 && status < 300) return null;
  if (error === null && status === null) return null;
  return { ...NO_USAGE, model: toId(a.model), durationMs: toNumber(a.duration_ms), error: error ?? `status ${status}` };
}

/** The table of rules (also in this folder's README). */
export const LOG_CALL_RULES: readonly LogCallRule[] = [
  { event: 'claude_code.api_request', provider: 'anthropic', keep: CLAUDE_CODE_KEEP, read: claudeCodeRequest },
  { event: 'claude_code.api_error', provider: 'anthropic', keep: CLAUDE_CODE_KEEP, read: apiError },
  { event: 'gemini_cli.api_response', provider: 'gcp.gemini', keep: GEMINI_KEEP, read: geminiResponse },
  { event: 'gemini_cli.api_error', provider: 'gcp.gemini', keep: GEMINI_KEEP, read: apiError },
  { event: 'codex.sse_event', provider: 'openai', keep: CODEX_KEEP, read: codexSseEvent },
  { event: 'codex.api_request', provider: 'openai', keep: CODEX_KEEP, read: codexApiRequest },
];

const RULES = new Map(LOG_CALL_RULES.map((rule) => [rule.event, rule]));

/**
 * A record's event name: LogRecord.event_name when sent; else the `event.name` attribute, which
 * Claude Code sends without its prefix ("api_request", with the body "claude_code.api_request").
 */
export function eventNameOf(record: DecodedLogRecord): string {
  if (record.eventName) return record.eventName;
  const name = record.attributes['event.name'];
  if (typeof name !== 'string' || name === '') return typeof record.body === 'string' ? record.body : '';
  if (typeof record.body === 'string' && record.body.endsWith(`.${name}`)) return record.body;
  return name;
}

/** The user a coding agent's call is billed to: the developer's email, else their account, else the install. */
const AGENT_USER_KEYS = ['user.email', 'user.account_uuid', 'user.account_id', 'user.id', 'installation.id'];

function firstOf(attributes: Attributes, resource: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const id = toId(attributes[key]) ?? toId(resource[key]);
    if (id !== null) return id;
  }
  return null;
}

function hexDigest(parts: readonly (AttributeValue | undefined)[], hexLength: number): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part === undefined ? '' : JSON.stringify(part)}\u0001`);
  const hex = hash.digest('hex').slice(0, hexLength);
  // An all-zero id is invalid in OTLP; a digest that starts with 16 zero bytes is not a concern,
  // but the rule is kept total.
  return /^0+$/.test(hex) ? `1${hex.slice(1)}` : hex;
}

/**
 * The call a record reports, as a span, or null when the record is not a model call Vigil knows.
 * A record with no time at all (neither time nor observed time, nor `event.timestamp`) is taken
 * as of `receivedMs`.
 */
export function modelCallOfLogRecord(
  record: DecodedLogRecord,
  resource: Attributes,
  receivedMs: number,
): DecodedSpan | null {
  const event = eventNameOf(record);
  const rule = RULES.get(event);
  if (!rule) return null;
  const a = record.attributes;
  const reading = rule.read(a);
  if (!reading) return null;
  const stamped = Date.parse(String(a['event.timestamp'] ?? ''));
  const endMs = record.timeMs > 0 ? record.timeMs : Number.isFinite(stamped) ? stamped : receivedMs;
  const durationMs = reading.durationMs !== null && reading.durationMs >= 0 ? reading.durationMs : null;
  // Claude Code and Gemini CLI name the session; Codex CLI the conversation.
  const session = firstOf(a, resource, ['session.id', 'conversation.id']);
  const promptId = toId(a['prompt.id']) ?? toId(a.prompt_id);
  const traceId =
    record.traceId ?? hexDigest([resource['service.name'], session, promptId ?? a['event.timestamp']], 32);
  const spanId = hexDigest(
    [traceId, record.spanId, event, session, a['event.sequence'], a['event.timestamp'], record.timeMs, reading.model],
    16,
  );

  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': rule.provider,
  };
  if (reading.model !== null) attributes['gen_ai.request.model'] = reading.model;
  const usage: [string, number | null][] = [
    ['gen_ai.usage.input_tokens', reading.inputTokens],
    ['gen_ai.usage.output_tokens', reading.outputTokens],
    ['gen_ai.usage.cache_read.input_tokens', reading.cacheReadTokens],
    ['gen_ai.usage.cache_creation.input_tokens', reading.cacheWriteTokens],
    ['gen_ai.usage.reasoning.output_tokens', reading.reasoningTokens],
    ['gen_ai.usage.cost', reading.costUsd],
  ];
  for (const [key, value] of usage) if (value !== null) attributes[key] = value;
  if (session !== null) attributes['session.id'] = session;
  const user = firstOf(a, resource, AGENT_USER_KEYS);
  if (user !== null) attributes['user.id'] = user;
  // The organisation is the tenant only when nothing names one: a dialect key on the span ranks
  // below the project's tenant keys on the resource (OTEL_RESOURCE_ATTRIBUTES=tenant.id=<team>).
  const organization = firstOf(a, resource, ['organization.id']);
  if (organization !== null) attributes['vigil.tenant.id'] = organization;
  if (reading.error !== null) attributes['error.type'] = reading.error;
  for (const key of rule.keep) if (a[key] !== undefined) attributes[key] = a[key];

  return {
    traceId,
    spanId,
    parentSpanId: record.spanId,
    name: event,
    kind: 3,
    startMs: endMs - (durationMs ?? 0),
    durationMs,
    statusCode: reading.error === null ? 0 : 2,
    statusMessage: reading.error ?? '',
    attributes,
    events: [],
  };
}
