// One span of any dialect → the columns Vigil stores. Pure and fast: it runs for every span.

import type { Attributes, DecodedSpan } from '../otlp/types.ts';
import { type Classification, classify } from './category.ts';
import { isContentAttribute, type SpanContent, withoutContentEvents } from '@vigil/core';
import { cacheHitOf, cacheNameOf } from './cache-hit.ts';
import { inputConventionOf, logfireRole, logfireStreamMs } from './emitter.ts';
import {
  DEPLOYMENT_KEYS,
  ENVIRONMENT_KEYS,
  SURFACE_KEYS,
  USER_KEYS,
  resourceIdentity,
  sessionOf,
  tenantOf,
} from './identity.ts';
import { inferProviderFromModel, normalizeProvider } from './provider.ts';
import { evaluationsOf } from './evaluation.ts';
import { promptNameOf, promptVersionOf } from './prompt.ts';
import { readTtftMs } from './ttft.ts';
import type { NormalizeOptions } from './types.ts';
import type { StoredSpan } from '@vigil/core';
import { readUsage } from './usage.ts';
import { firstId, firstNumber, jsonObject, toNumber } from './values.ts';

const MODEL_KEYS = [
  'gen_ai.response.model',
  'gen_ai.request.model',
  'llm.model_name',
  'ai.model.id',
  'ai.response.model',
  'langfuse.observation.model.name',
  'llm.response.model',
  'llm.request.model',
  'langsmith.metadata.ls_model_name',
  'ls_model_name',
];
const PROVIDER_KEYS = [
  'gen_ai.provider.name',
  'gen_ai.system',
  'llm.provider',
  'llm.system',
  'ai.model.provider',
  'langsmith.metadata.ls_provider',
  'ls_provider',
];
const OPERATION_KEYS = ['gen_ai.operation.name', 'llm.request.type'];
// `operation.cost` is Logfire's (computed with genai-prices).
const REPORTED_COST_KEYS = [
  'gen_ai.usage.cost',
  'llm.cost.total',
  'gen_ai.cost.total_cost',
  'gen_ai.cost.total',
  'operation.cost',
];
/** Any of these means the span is about a model, even without a model name. */
const MODEL_SIGNAL_KEYS = [
  'gen_ai.operation.name',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.promptTokens',
  'ai.usage.inputTokens',
];

function reportedCost(attributes: Attributes): number | null {
  const direct = firstNumber(attributes, REPORTED_COST_KEYS);
  if (direct !== null) return direct >= 0 ? direct : null;
  const details = jsonObject(attributes['langfuse.observation.cost_details']);
  if (!details) return null;
  const total = toNumber(details.total);
  if (total !== null) return total;
  let sum = 0;
  let any = false;
  for (const value of Object.values(details)) {
    const n = toNumber(value);
    if (n !== null) {
      sum += n;
      any = true;
    }
  }
  return any ? sum : null;
}

function operationOf(attributes: Attributes): string | null {
  const explicit = firstId(attributes, OPERATION_KEYS);
  if (explicit) return explicit.toLowerCase();
  const kind = attributes['openinference.span.kind'];
  if (kind === 'LLM') return 'chat';
  if (kind === 'EMBEDDING') return 'embeddings';
  return null;
}

export function normalizeSpan(
  span: DecodedSpan,
  resource: Attributes,
  options: NormalizeOptions,
  scopeName = '',
): StoredSpan {
  const source = span.attributes;
  // One pass over the keys: prefix families cannot be looked up directly.
  let hasCacheAttribute = false;
  let contentKeys: string[] | null = null;
  for (const key of Object.keys(source)) {
    if (key.startsWith('cache.')) hasCacheAttribute = true;
    else if (isContentAttribute(key, source[key])) (contentKeys ??= []).push(key);
  }
  // Content never stays on the span: it is dropped, or kept apart where the project captures it.
  let attributes = source;
  let contentAttributes: Attributes | null = null;
  if (contentKeys) {
    attributes = { ...source };
    if (options.captureContent) contentAttributes = {};
    for (const key of contentKeys) {
      if (contentAttributes) contentAttributes[key] = source[key]!;
      delete attributes[key];
    }
  }
  const events = withoutContentEvents(span.events);
  const content: SpanContent | undefined =
    options.captureContent && (contentAttributes || events !== span.events)
      ? { attributes: contentAttributes ?? {}, events: events !== span.events ? span.events : null }
      : undefined;

  const model = firstId(source, MODEL_KEYS);
  const provider = normalizeProvider(firstId(source, PROVIDER_KEYS)) ?? (model ? inferProviderFromModel(model) : null);
  const operation = operationOf(source);
  let hasModel = model !== null;
  if (!hasModel) for (const key of MODEL_SIGNAL_KEYS) if (source[key] !== undefined) hasModel = true;
  const logfire = logfireRole(source);
  const classified: Classification =
    logfire === 'pending'
      ? { category: 'other', wrapper: false }
      : classify(source, operation, hasModel, hasCacheAttribute);
  const category = classified.category;
  const wrapper = classified.wrapper || (logfire === 'stream-request' && category === 'model');
  const usage =
    category === 'model' || wrapper ? readUsage(source, provider, inputConventionOf(scopeName, resource)) : null;
  let startMs = span.startMs;
  // Unknown, never zero: a call reported without its time, or a span that ends before it starts.
  let durationMs = span.durationMs;
  // Logfire logs a stream at its end, with its length: the call spans the stream.
  const streamMs = logfire === 'stream-log' ? logfireStreamMs(source) : null;
  if (streamMs !== null) {
    startMs = span.startMs - streamMs;
    durationMs = streamMs;
  }
  const error = span.statusCode === 2 || source['error.type'] !== undefined;

  const fromResource = resourceIdentity(resource, options.tenantKeys);
  const evaluations = evaluationsOf(source, span.events, startMs);
  return {
    projectId: '',
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    serviceName: fromResource.serviceName,
    startMs,
    durationMs,
    category,
    status: error ? 'error' : 'ok',
    statusMessage: error ? span.statusMessage || firstId(source, ['error.type']) || null : null,
    tenantId: tenantOf(source, fromResource, options.tenantKeys),
    sessionId: sessionOf(source, fromResource),
    userId: firstId(source, USER_KEYS) ?? fromResource.user,
    surface: firstId(source, SURFACE_KEYS),
    deployment: fromResource.deployment ?? firstId(source, DEPLOYMENT_KEYS),
    environment: fromResource.environment ?? firstId(source, ENVIRONMENT_KEYS),
    model,
    provider: category === 'model' || wrapper ? provider : category === 'cache' ? cacheNameOf(source) : null,
    operation,
    promptName: promptNameOf(source),
    promptVersion: promptVersionOf(source),
    ttftMs: category === 'model' ? readTtftMs(source, span.events, startMs, durationMs) : null,
    cacheHit: wrapper ? null : cacheHitOf(source, category),
    reportedCostUsd: category === 'model' ? reportedCost(source) : null,
    wrapper,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cacheReadTokens: usage?.cacheReadTokens ?? null,
    cacheWriteTokens: usage?.cacheWriteTokens ?? null,
    cacheWrite1hTokens: usage?.cacheWrite1hTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    costUsd: null,
    costSource: null,
    attributes,
    events,
    ...(content ? { content } : {}),
    ...(evaluations.length ? { evaluations } : {}),
  };
}
