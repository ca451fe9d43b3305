// What kind of call a span is, and whether it is an outer wrapper that repeats an inner model
// call's usage (counting it would double the tokens and the cost).

import type { SpanCategory } from '@vigil/core';
import type { Attributes } from '../otlp/types.ts';

const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'valkey', 'dragonfly', 'keydb']);

/** Vercel AI SDK operations that wrap the provider calls (`….doGenerate`, `….doStream`, `….doEmbed`). */
const VERCEL_WRAPPERS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
  'ai.generateImage',
  'ai.generateSpeech',
  'ai.transcribe',
  'ai.agent',
  'ai.agent.generate',
  'ai.agent.stream',
]);
const VERCEL_NON_MODEL = new Set(['ai.toolCall']);

/**
 * GenAI operations that are not a model call themselves (agents, tools, retrieval, memory). The
 * AI SDK 7 adds `agent_step` spans between `invoke_agent` and each `chat`, repeating its usage.
 */
const NON_MODEL_OPERATIONS = new Set([
  'execute_tool',
  'invoke_agent',
  'agent_step',
  'create_agent',
  'invoke_workflow',
  'retrieval',
  'plan',
  'create_memory',
  'create_memory_store',
  'delete_memory',
  'delete_memory_store',
  'search_memory',
  'update_memory',
  'upsert_memory',
]);
const WRAPPER_OPERATIONS = new Set(['invoke_agent', 'agent_step', 'create_agent', 'invoke_workflow', 'plan']);

const OPENINFERENCE_MODEL_KINDS = new Set(['LLM', 'EMBEDDING']);
const OPENINFERENCE_WRAPPER_KINDS = new Set(['CHAIN', 'AGENT']);
const TRACELOOP_WRAPPER_KINDS = new Set(['workflow', 'task', 'agent']);
const LANGSMITH_WRAPPER_KINDS = new Set(['chain']);

export interface Classification {
  category: SpanCategory;
  wrapper: boolean;
}

function dbSystem(attributes: Attributes): string | null {
  const value = attributes['db.system.name'] ?? attributes['db.system'];
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : null;
}

/**
 * `hasModel` says the span names a model or usage in any dialect; `hasCacheAttribute` that some
 * attribute key starts with "cache." (Sentry's cache.hit, cache.key, …).
 */
export function classify(
  attributes: Attributes,
  operation: string | null,
  hasModel: boolean,
  hasCacheAttribute: boolean,
): Classification {
  const vercelOperation = attributes['ai.operationId'];
  const openInferenceKind = attributes['openinference.span.kind'];
  const traceloopKind = attributes['traceloop.span.kind'];
  const langsmithKind = attributes['langsmith.span.kind'];

  let modelCall = hasModel;
  let wrapper = false;
  if (typeof vercelOperation === 'string') {
    if (VERCEL_WRAPPERS.has(vercelOperation)) wrapper = true;
    else if (VERCEL_NON_MODEL.has(vercelOperation)) modelCall = false;
  }
  if (typeof openInferenceKind === 'string') {
    const kind = openInferenceKind.toUpperCase();
    if (OPENINFERENCE_WRAPPER_KINDS.has(kind)) wrapper = hasModel;
    else if (!OPENINFERENCE_MODEL_KINDS.has(kind)) modelCall = false;
  }
  if (typeof traceloopKind === 'string' && TRACELOOP_WRAPPER_KINDS.has(traceloopKind.toLowerCase())) wrapper = hasModel;
  if (typeof traceloopKind === 'string' && traceloopKind.toLowerCase() === 'tool') modelCall = false;
  if (typeof langsmithKind === 'string' && LANGSMITH_WRAPPER_KINDS.has(langsmithKind.toLowerCase())) wrapper = hasModel;
  if (operation && NON_MODEL_OPERATIONS.has(operation)) {
    if (WRAPPER_OPERATIONS.has(operation)) wrapper = hasModel;
    else modelCall = false;
  }

  if (wrapper) return { category: 'other', wrapper: true };
  if (modelCall) return { category: 'model', wrapper: false };
  const system = dbSystem(attributes);
  if ((system && CACHE_SYSTEMS.has(system)) || hasCacheAttribute) return { category: 'cache', wrapper: false };
  if (system) return { category: 'db', wrapper: false };
  if (attributes['http.request.method'] !== undefined || attributes['http.method'] !== undefined)
    return { category: 'http', wrapper: false };
  return { category: 'other', wrapper: false };
}
