// The official `@anthropic-ai/sdk` client: Messages, streamed or not.

import type { ModelCallTracer, ModelUsage } from '../model-call.ts';
import { observeStream } from '../stream.ts';
import { type Patchable, serverOf, wrapCreate } from './patch.ts';

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicEvent {
  type: string;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/**
 * Anthropic's input_tokens leave out cache reads and writes; the conventions' input count includes
 * them, so they are added.
 */
export function anthropicUsage(usage: AnthropicUsage | null | undefined): ModelUsage | undefined {
  if (!usage) return undefined;
  const read = usage.cache_read_input_tokens ?? 0;
  const write = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens == null ? undefined : usage.input_tokens + read + write,
    outputTokens: usage.output_tokens ?? undefined,
    cacheReadTokens: usage.cache_read_input_tokens ?? undefined,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? undefined,
  };
}

export function patchAnthropic(module: unknown, tracer: ModelCallTracer): boolean {
  const Anthropic = ((module as { Anthropic?: unknown }).Anthropic ??
    (module as { default?: unknown }).default ??
    module) as {
    Messages?: { prototype: Patchable };
  };
  if (!Anthropic?.Messages) return false;
  return wrapCreate(Anthropic.Messages.prototype, tracer, (resource, body) => {
    const stream = body.stream === true;
    return {
      request: body,
      start: {
        provider: 'anthropic',
        operation: 'chat',
        requestModel: String(body.model ?? 'unknown'),
        stream,
        ...serverOf(resource),
        input:
          body.system === undefined
            ? body.messages
            : [{ role: 'system', content: body.system }, ...((body.messages as unknown[]) ?? [])],
      },
      onResult: (result, call) => {
        if (stream) {
          const seen = {
            text: '',
            model: undefined as string | undefined,
            id: undefined as string | undefined,
            stop: [] as string[],
            usage: {} as AnthropicUsage,
          };
          observeStream<AnthropicEvent>(result as object, call, {
            chunk(event) {
              if (event.type === 'message_start') {
                seen.model = event.message?.model;
                seen.id = event.message?.id;
                Object.assign(seen.usage, event.message?.usage);
              } else if (event.type === 'content_block_delta') {
                // The first token, not message_start, which arrives before any content.
                call.firstChunk();
                if (tracer.captureContent && event.delta?.text) seen.text += event.delta.text;
              } else if (event.type === 'message_delta') {
                if (event.delta?.stop_reason) seen.stop.push(event.delta.stop_reason);
                // message_delta's usage is cumulative: the output so far (and input, in newer API versions).
                for (const [key, value] of Object.entries(event.usage ?? {}))
                  if (value != null) (seen.usage as Record<string, number>)[key] = value;
              }
            },
            result: () => ({
              responseModel: seen.model,
              responseId: seen.id,
              finishReasons: seen.stop,
              usage: anthropicUsage(seen.usage),
              output: tracer.captureContent ? [{ role: 'assistant', content: seen.text }] : undefined,
            }),
          });
          return;
        }
        const message = result as {
          id?: string;
          model?: string;
          stop_reason?: string | null;
          usage?: AnthropicUsage;
          content?: unknown;
        };
        call.end({
          responseModel: message.model,
          responseId: message.id,
          finishReasons: message.stop_reason ? [message.stop_reason] : [],
          usage: anthropicUsage(message.usage),
          output: message.content,
        });
      },
    };
  });
}
