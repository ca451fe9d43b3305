// The few rules that depend on which library emitted a span rather than on its attribute names:
// OpenLIT counts input the provider's own way, and Logfire splits a stream into two spans.

import type { Attributes } from '../otlp/types.ts';
import { jsonObject } from './values.ts';

/**
 * How an emitter counts `gen_ai.usage.input_tokens`: as the GenAI semconv says (inclusive of cache
 * reads and writes, whatever the provider), or as the provider's own API does ('provider'; OpenLIT
 * copies Anthropic's uncached `input_tokens` and OpenAI's inclusive `prompt_tokens` alike).
 */
export type InputConvention = 'semconv' | 'provider';

/** Providers whose own APIs count input without the cached parts (Anthropic Messages, Bedrock Converse). */
const EXCLUSIVE_PROVIDERS = new Set(['anthropic', 'aws.bedrock']);

/** OpenLIT's tracers are named after its instrumentation modules (openlit.instrumentation.anthropic). */
export function inputConventionOf(scopeName: string, resource: Attributes): InputConvention {
  return scopeName.startsWith('openlit') || resource['telemetry.sdk.name'] === 'openlit' ? 'provider' : 'semconv';
}

/** Whether a provider's input count, in the emitter's convention, leaves out the cache parts. */
export function inputExcludesCache(convention: InputConvention, provider: string | null): boolean {
  return convention === 'provider' && provider !== null && EXCLUSIVE_PROVIDERS.has(provider);
}

/**
 * Logfire's half-spans of one streamed call (logfire/_internal/integrations/llm_providers): the
 * CLIENT span ends when the stream object is returned, with no usage; when the stream is consumed
 * it logs a sibling zero-length span, `streaming response from … took …s`, that carries the usage
 * and the stream's duration in seconds. The log is the call; the request span is kept as a wrapper.
 * Logfire also makes `pending_span` copies of open spans (normally removed before export): never calls.
 */
export type LogfireRole = 'stream-request' | 'stream-log' | 'pending' | null;

const STREAM_LOG_TEMPLATE = 'streaming response from ';

export function logfireRole(attributes: Attributes): LogfireRole {
  const spanType = attributes['logfire.span_type'];
  if (spanType === undefined) return null;
  if (spanType === 'pending_span') return 'pending';
  const template = attributes['logfire.msg_template'];
  if (spanType === 'log')
    return typeof template === 'string' && template.startsWith(STREAM_LOG_TEMPLATE) ? 'stream-log' : null;
  // The request data (a JSON string; for the Responses API only model and stream) says it streams.
  const request = jsonObject(attributes.request_data);
  return request?.stream === true ? 'stream-request' : null;
}

/** The stream's own duration on Logfire's stream log (`duration`, seconds), in milliseconds. */
export function logfireStreamMs(attributes: Attributes): number | null {
  const seconds = attributes.duration;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
