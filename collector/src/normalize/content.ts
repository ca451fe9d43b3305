// Prompts, completions and tool payloads are dropped at ingest unless the project opted in
// (projects.capture_content). These are the places each dialect puts them.

import type { DecodedEvent } from '../otlp/types.ts';

export const CONTENT_KEYS = new Set([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.prompt',
  'gen_ai.completion',
  'input.value',
  'output.value',
  'llm.prompts',
  'llm.prompt_template.variables',
  'llm.prompt_template.template',
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
  'traceloop.entity.input',
  'traceloop.entity.output',
  'langfuse.observation.input',
  'langfuse.observation.output',
  'langfuse.trace.input',
  'langfuse.trace.output',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
]);

export const CONTENT_PREFIXES = [
  'gen_ai.prompt.',
  'gen_ai.completion.',
  'llm.input_messages.',
  'llm.output_messages.',
  'llm.prompts.',
  'db.query.parameter.',
  'retrieval.documents.',
  'embedding.embeddings.',
];

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

export function isContentKey(key: string): boolean {
  if (CONTENT_KEYS.has(key)) return true;
  for (const prefix of CONTENT_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

export function withoutContentEvents(events: DecodedEvent[]): DecodedEvent[] {
  return events.some((e) => CONTENT_EVENTS.has(e.name)) ? events.filter((e) => !CONTENT_EVENTS.has(e.name)) : events;
}
