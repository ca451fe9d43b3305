// Time to first token (first content chunk of a stream), in milliseconds. Sources disagree on the
// unit: GenAI semconv, OpenLIT and Sentry use seconds, the Vercel AI SDK milliseconds, Langfuse a
// timestamp. A value longer than the span itself is a unit error, not a TTFT: it is dropped rather
// than reported as "TTFT equals the whole duration" (Langfuse #3046).

import type { Attributes, DecodedEvent } from '../otlp/types.ts';
import { firstNumber } from './values.ts';

// The AI SDK 7 puts the metric's name (gen_ai.client.operation.time_to_first_chunk) on its chat spans.
const SECONDS_KEYS = [
  'gen_ai.response.time_to_first_chunk',
  'gen_ai.client.operation.time_to_first_chunk',
  'gen_ai.server.time_to_first_token',
  'gen_ai.response.time_to_first_token',
];
const MS_KEYS = ['ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk'];
// Events at the first chunk: the Vercel AI SDK's, OpenInference's (`First Token Stream Event`, added
// on the stream's first iteration) and OpenLLMetry's per-chunk events, of which the first counts.
const FIRST_CHUNK_EVENTS = new Set([
  'ai.stream.firstChunk',
  'gen_ai.first_chunk',
  'first_token',
  'First Token Stream Event',
  'gen_ai.content.completion.chunk',
  'llm.content.completion.chunk',
]);

export function readTtftMs(
  attributes: Attributes,
  events: readonly DecodedEvent[],
  startMs: number,
  durationMs: number | null,
): number | null {
  let ttft: number | null = null;
  const seconds = firstNumber(attributes, SECONDS_KEYS);
  if (seconds !== null) ttft = seconds * 1000;
  if (ttft === null) ttft = firstNumber(attributes, MS_KEYS);
  if (ttft === null) {
    const completionStart = attributes['langfuse.observation.completion_start_time'];
    if (typeof completionStart === 'string') {
      const at = Date.parse(completionStart.replace(/^"|"$/g, ''));
      if (Number.isFinite(at)) ttft = at - startMs;
    }
  }
  if (ttft === null) {
    for (const event of events) {
      if (FIRST_CHUNK_EVENTS.has(event.name)) {
        ttft = firstNumber(event.attributes, MS_KEYS) ?? event.timeMs - startMs;
        break;
      }
    }
  }
  if (ttft === null || ttft < 0 || (durationMs !== null && ttft > durationMs + 1)) return null;
  return ttft;
}
