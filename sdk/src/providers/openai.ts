// The official `openai` client: chat completions and completions (streamed or not) and embeddings,
// patched on the resource classes' prototypes so every client instance is covered.

import type { ModelCallTracer, ModelUsage } from '../model-call.ts';
import { observeStream } from '../stream.ts';
import { type Patchable, serverOf, wrapCreate } from './patch.ts';

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

interface OpenAIChunk {
  id?: string;
  model?: string;
  choices?: {
    delta?: { content?: string | null; tool_calls?: unknown[]; refusal?: string | null };
    text?: string;
    finish_reason?: string | null;
  }[];
  usage?: OpenAIUsage | null;
}

/** OpenAI counts cached tokens inside prompt_tokens and reasoning tokens inside completion_tokens. */
export function openaiUsage(usage: OpenAIUsage | null | undefined): ModelUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cacheReadTokens: usage.prompt_tokens_details?.cached_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
  };
}

export interface OpenAIPatchOptions {
  /** Adds stream_options.include_usage to streamed chat requests that do not say, so usage is known. */
  requestStreamUsage: boolean;
}

/** Patches the classes of one copy of the `openai` package (its ESM and CJS builds are two copies). */
export function patchOpenAI(module: unknown, tracer: ModelCallTracer, options: OpenAIPatchOptions): boolean {
  const OpenAI = ((module as { OpenAI?: unknown }).OpenAI ?? (module as { default?: unknown }).default ?? module) as {
    Chat?: { Completions?: { prototype: Patchable } };
    Completions?: { prototype: Patchable };
    Embeddings?: { prototype: Patchable };
  };
  let patched = false;
  if (OpenAI?.Chat?.Completions)
    patched = patchCompletions(OpenAI.Chat.Completions.prototype, 'chat', tracer, options) || patched;
  if (OpenAI?.Completions)
    patched = patchCompletions(OpenAI.Completions.prototype, 'text_completion', tracer, options) || patched;
  if (OpenAI?.Embeddings) patched = patchEmbeddings(OpenAI.Embeddings.prototype, tracer) || patched;
  return patched;
}

function patchCompletions(
  prototype: Patchable,
  operation: 'chat' | 'text_completion',
  tracer: ModelCallTracer,
  options: OpenAIPatchOptions,
): boolean {
  return wrapCreate(prototype, tracer, (resource, body) => {
    const stream = body.stream === true;
    let request = body;
    // Usage on a stream comes only in a last chunk the caller has to ask for; ask, unless told not to.
    if (stream && operation === 'chat' && options.requestStreamUsage && body.stream_options == null) {
      request = { ...body, stream_options: { include_usage: true } };
    }
    return {
      request,
      start: {
        provider: 'openai',
        operation,
        requestModel: String(body.model ?? 'unknown'),
        stream,
        ...serverOf(resource),
        input: operation === 'chat' ? body.messages : body.prompt,
      },
      onResult: (result, call) => {
        if (stream) {
          const seen = {
            text: '',
            model: undefined as string | undefined,
            id: undefined as string | undefined,
            finish: [] as string[],
            usage: undefined as ModelUsage | undefined,
          };
          observeStream<OpenAIChunk>(result as object, call, {
            chunk(chunk) {
              seen.model ??= chunk.model;
              seen.id ??= chunk.id;
              for (const choice of chunk.choices ?? []) {
                const content = choice.delta?.content ?? choice.text;
                if (content || choice.delta?.tool_calls?.length || choice.delta?.refusal) call.firstChunk();
                if (content && tracer.captureContent) seen.text += content;
                if (choice.finish_reason) seen.finish.push(choice.finish_reason);
              }
              if (chunk.usage) seen.usage = openaiUsage(chunk.usage);
            },
            result: () => ({
              responseModel: seen.model,
              responseId: seen.id,
              finishReasons: seen.finish,
              usage: seen.usage,
              output: tracer.captureContent ? [{ role: 'assistant', content: seen.text }] : undefined,
            }),
          });
          return;
        }
        const response = result as {
          id?: string;
          model?: string;
          usage?: OpenAIUsage;
          choices?: { finish_reason?: string; message?: unknown; text?: string }[];
        };
        call.end({
          responseModel: response.model,
          responseId: response.id,
          finishReasons: (response.choices ?? []).flatMap((c) => (c.finish_reason ? [c.finish_reason] : [])),
          usage: openaiUsage(response.usage),
          output: (response.choices ?? []).map((c) => c.message ?? c.text),
        });
      },
    };
  });
}

function patchEmbeddings(prototype: Patchable, tracer: ModelCallTracer): boolean {
  return wrapCreate(prototype, tracer, (resource, body) => ({
    request: body,
    start: {
      provider: 'openai',
      operation: 'embeddings',
      requestModel: String(body.model ?? 'unknown'),
      ...serverOf(resource),
    },
    onResult: (result, call) => {
      const response = result as { model?: string; usage?: { prompt_tokens?: number } };
      call.end({ responseModel: response.model, usage: { inputTokens: response.usage?.prompt_tokens } });
    },
  }));
}
