// The OpenAI API as the official client uses it: chat completions and completions, streamed (SSE,
// with the usage chunk when stream_options.include_usage asks for it) or not, and embeddings.

import { randomUUID } from 'node:crypto';
import type { Behaviour } from './behaviour.ts';
import { estimateTokens } from './behaviour.ts';
import { type Exchange, sleep, words } from './exchange.ts';

interface ChatRequest {
  model: string;
  messages?: { content?: unknown }[];
  prompt?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  input?: unknown;
  encoding_format?: 'float' | 'base64';
}

function promptText(body: ChatRequest): string {
  if (body.messages)
    return body.messages
      .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')))
      .join('\n');
  return typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt ?? body.input ?? '');
}

function usageOf(body: ChatRequest, b: Behaviour) {
  const prompt = b.inputTokens ?? estimateTokens(promptText(body));
  return {
    prompt_tokens: prompt,
    completion_tokens: b.outputTokens,
    total_tokens: prompt + b.outputTokens,
    // OpenAI counts cached and reasoning tokens inside prompt and completion tokens.
    prompt_tokens_details: { cached_tokens: Math.min(b.cacheReadTokens, prompt), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: Math.min(b.reasoningTokens, b.outputTokens),
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export async function openaiError(exchange: Exchange): Promise<void> {
  exchange.json(500, {
    error: {
      message: 'The server had an error while processing your request.',
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

export async function chatCompletions(
  exchange: Exchange,
  body: ChatRequest,
  b: Behaviour,
  legacy: boolean,
): Promise<void> {
  const id = `${legacy ? 'cmpl' : 'chatcmpl'}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = `${body.model}`;
  const text = words(b.outputTokens);
  const object = legacy ? 'text_completion' : 'chat.completion';
  const finish = 'stop';
  if (!body.stream) {
    await sleep(b.ttftMs + b.interChunkMs * (b.outputTokens - 1));
    const choice = legacy
      ? { text: text.join(''), index: 0, logprobs: null, finish_reason: finish }
      : {
          index: 0,
          message: { role: 'assistant', content: text.join(''), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finish,
        };
    exchange.json(200, {
      id,
      object,
      created,
      model,
      choices: [choice],
      usage: usageOf(body, b),
      system_fingerprint: 'fp_vigil_fake',
    });
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) => ({
    id,
    object: legacy ? 'text_completion' : 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_vigil_fake',
    choices: [
      legacy
        ? { text: delta.content ?? '', index: 0, logprobs: null, finish_reason: finishReason }
        : { index: 0, delta, logprobs: null, finish_reason: finishReason },
    ],
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  exchange.startEventStream();
  await sleep(b.ttftMs);
  // The role arrives with the first token, as OpenAI sends it.
  if (!legacy) exchange.event(undefined, chunk({ role: 'assistant', content: '', refusal: null }, null));
  for (let i = 0; i < text.length; i++) {
    if (i > 0) await sleep(b.interChunkMs);
    if (exchange.closed) return;
    exchange.event(undefined, chunk({ content: text[i] }, null));
  }
  exchange.event(undefined, chunk({}, finish));
  if (includeUsage) exchange.event(undefined, { ...chunk({}, null), choices: [], usage: usageOf(body, b) });
  exchange.event(undefined, '[DONE]');
  exchange.end();
}

export async function embeddings(exchange: Exchange, body: ChatRequest, b: Behaviour): Promise<void> {
  await sleep(b.ttftMs);
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const prompt = b.inputTokens ?? inputs.reduce<number>((n, x) => n + estimateTokens(String(x)), 0);
  const data = inputs.map((input, index) => {
    const vector = Float32Array.from({ length: 8 }, (_, i) => Math.sin(String(input).length + i));
    // The official client asks for base64 and decodes it itself.
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  exchange.json(200, {
    object: 'list',
    data,
    model: body.model,
    usage: { prompt_tokens: prompt, total_tokens: prompt },
  });
}
