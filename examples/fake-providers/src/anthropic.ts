// Anthropic's Messages API as the official client uses it, streamed (SSE events) or not. As the
// real one does, a stream opens with message_start (input usage) before the first token arrives.

import { randomUUID } from 'node:crypto';
import type { Behaviour } from './behaviour.ts';
import { estimateTokens } from './behaviour.ts';
import { type Exchange, sleep, words } from './exchange.ts';

interface MessagesRequest {
  model: string;
  system?: unknown;
  messages: { content?: unknown }[];
  stream?: boolean;
}

function promptText(body: MessagesRequest): string {
  const parts = body.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
  if (body.system) parts.unshift(typeof body.system === 'string' ? body.system : JSON.stringify(body.system));
  return parts.join('\n');
}

function inputUsage(body: MessagesRequest, b: Behaviour) {
  const prompt = b.inputTokens ?? estimateTokens(promptText(body));
  const cacheRead = Math.min(b.cacheReadTokens, prompt);
  const cacheWrite = Math.min(b.cacheWriteTokens, prompt - cacheRead);
  // Anthropic's input_tokens leave out the cached tokens, which it reports beside them.
  return {
    input_tokens: prompt - cacheRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

export async function anthropicError(exchange: Exchange): Promise<void> {
  exchange.json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
}

export async function messages(exchange: Exchange, body: MessagesRequest, b: Behaviour): Promise<void> {
  const id = `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const text = words(b.outputTokens);
  const usage = inputUsage(body, b);
  if (!body.stream) {
    await sleep(b.ttftMs + b.interChunkMs * (b.outputTokens - 1));
    exchange.json(200, {
      id,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: text.join('') }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { ...usage, output_tokens: b.outputTokens },
    });
    return;
  }
  exchange.startEventStream();
  // message_start comes early; time to first token is to the first text delta, not to this.
  await sleep(Math.min(20, b.ttftMs / 4));
  exchange.event('message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  exchange.event('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  exchange.event('ping', { type: 'ping' });
  await sleep(b.ttftMs - Math.min(20, b.ttftMs / 4));
  for (let i = 0; i < text.length; i++) {
    if (i > 0) await sleep(b.interChunkMs);
    if (exchange.closed) return;
    exchange.event('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: text[i] },
    });
  }
  exchange.event('content_block_stop', { type: 'content_block_stop', index: 0 });
  exchange.event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: b.outputTokens },
  });
  exchange.event('message_stop', { type: 'message_stop' });
  exchange.end();
}
