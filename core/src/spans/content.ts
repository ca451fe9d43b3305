// Prompts, completions and tool payloads are dropped at ingest unless the project opted in
// (projects.capture_content), from span attributes and from event attributes alike; where they
// are kept, the trace view hides them from roles that may not read content (access/roles.ts).
// Two rules decide what is content (the table in collector/src/normalize/README.md):
//   1. the keys and key prefixes each dialect puts content under, listed below;
//   2. a generic rule for the dialects not listed yet: a string, array or map value whose key has a
//      segment that names content (prompt, messages, input, output, completion, content, ...).
// Numbers and booleans are never content, so token counts under such names (llm.token_count.prompt)
// are kept.

import type { AttributeValue, SpanEvent } from './stored-span.ts';

/** Keys that name a managed prompt without holding its text: never content. */
export const PROMPT_NAME_KEYS = [
  'gen_ai.prompt.name',
  'vigil.prompt.name',
  'langfuse.observation.prompt.name',
  'traceloop.prompt.key',
] as const;
export const PROMPT_VERSION_KEYS = [
  'gen_ai.prompt.version',
  'vigil.prompt.version',
  'langfuse.observation.prompt.version',
  'traceloop.prompt.version',
  'llm.prompt_template.version',
] as const;
const PROMPT_KEYS: ReadonlySet<string> = new Set<string>([...PROMPT_NAME_KEYS, ...PROMPT_VERSION_KEYS]);

export const CONTENT_KEYS = new Set([
  // OTel GenAI semantic conventions, current and deprecated.
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.request.messages',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
  // An evaluator's reasoning quotes the answer it judged.
  'gen_ai.evaluation.explanation',
  // OpenInference.
  'input.value',
  'output.value',
  'llm.prompts',
  'llm.prompt_template.variables',
  'llm.prompt_template.template',
  'tool.parameters',
  'tool.description',
  // Vercel AI SDK.
  'ai.prompt',
  'ai.prompt.messages',
  'ai.prompt.tools',
  'ai.response.text',
  'ai.response.object',
  'ai.response.toolCalls',
  'ai.response.reasoning',
  'ai.result.text',
  'ai.result.object',
  'ai.result.toolCalls',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  // OpenLLMetry / Traceloop.
  'traceloop.entity.input',
  'traceloop.entity.output',
  // Langfuse.
  'langfuse.observation.input',
  'langfuse.observation.output',
  'langfuse.trace.input',
  'langfuse.trace.output',
  // LangSmith.
  'langsmith.prompt',
  // MLflow.
  'mlflow.spanInputs',
  'mlflow.spanOutputs',
  'mlflow.traceInputs',
  'mlflow.traceOutputs',
  // Logfire (its OpenAI/Anthropic integrations and pydantic-ai).
  'prompt',
  'request_data',
  'response_data',
  'all_messages_events',
  'events',
  'final_result',
  'tool_arguments',
  'tool_response',
]);

export const CONTENT_PREFIXES = [
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'gen_ai.request.messages.',
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.prompts.',
  'llm.tools.',
  'llm.request.functions.',
  'db.query.parameter.',
  'retrieval.documents.',
  'reranker.input_documents.',
  'reranker.output_documents.',
  'embedding.embeddings.',
];

/** Key segments that name content (rule 2), compared in lower case. */
const CONTENT_SEGMENTS = new Set([
  'prompt',
  'prompts',
  'completion',
  'completions',
  'messages',
  'input',
  'inputs',
  'output',
  'outputs',
  'content',
  'contents',
  'request_data',
  'response_data',
  'spaninputs',
  'spanoutputs',
  'arguments',
  'args',
  'instructions',
  'system_instructions',
]);
/** Last segments that describe content without holding it: `input.mime_type` is kept. */
const DESCRIPTIVE_SEGMENTS = new Set(['mime_type', 'type']);

export const CONTENT_EVENTS = new Set([
  'gen_ai.user.message',
  'gen_ai.system.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
  'gen_ai.choice',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
  'gen_ai.client.inference.operation.details',
]);

function keyNamesContent(key: string): boolean {
  if (PROMPT_KEYS.has(key)) return false;
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) if (key.startsWith(prefix)) return true;
  const segments = key.toLowerCase().split('.');
  if (DESCRIPTIVE_SEGMENTS.has(segments[segments.length - 1]!)) return false;
  return segments.some((segment) => CONTENT_SEGMENTS.has(segment));
}

// Keys repeat across spans, and this runs for every attribute of every span: the decision is kept
// per key (bounded; cleared when full).
const decided = new Map<string, boolean>();
const MAX_DECIDED = 20_000;

export function isContentKey(key: string): boolean {
  let answer = decided.get(key);
  if (answer === undefined) {
    answer = keyNamesContent(key);
    if (decided.size >= MAX_DECIDED) decided.clear();
    decided.set(key, answer);
  }
  return answer;
}

/** Whether an attribute holds content: a content key with a string, array or map value. */
export function isContentAttribute(key: string, value: AttributeValue | undefined): boolean {
  return (typeof value === 'string' || (value !== null && typeof value === 'object')) && isContentKey(key);
}

/** The attributes without their content, or the same object when it holds none. */
export function withoutContentAttributes<T extends Record<string, AttributeValue>>(attributes: T): T {
  let stripped: T | null = null;
  for (const key of Object.keys(attributes)) {
    if (!isContentAttribute(key, attributes[key])) continue;
    stripped ??= { ...attributes };
    delete stripped[key];
  }
  return stripped ?? attributes;
}

/** Events without content: content events dropped, content attributes removed from the others. */
export function withoutContentEvents(events: SpanEvent[]): SpanEvent[] {
  let changed = false;
  const kept: SpanEvent[] = [];
  for (const event of events) {
    if (CONTENT_EVENTS.has(event.name)) {
      changed = true;
      continue;
    }
    const attributes = withoutContentAttributes(event.attributes);
    if (attributes !== event.attributes) changed = true;
    kept.push(attributes === event.attributes ? event : { ...event, attributes });
  }
  return changed ? kept : events;
}
