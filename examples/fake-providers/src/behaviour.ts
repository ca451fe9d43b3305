// How a fake provider answers: latency, time to first token, errors and usage. A default, per-model
// overrides, and changes at run time (the demo's --incident makes one model slow and costly).

import { z } from 'zod';

export const behaviourSchema = z.object({
  /** From the request to the first content chunk of a stream (or the whole answer, unstreamed). */
  ttftMs: z.number().min(0).default(300),
  /** Between content chunks of a stream. */
  interChunkMs: z.number().min(0).default(15),
  /** Content chunks in a stream; each is one output token. */
  outputTokens: z.number().int().min(1).default(40),
  /** Fraction of requests answered with a provider error (OpenAI 500, Anthropic 529). */
  errorRate: z.number().min(0).max(1).default(0),
  /** Input tokens served from the provider's prompt cache, out of the prompt's. */
  cacheReadTokens: z.number().int().min(0).default(0),
  /** Input tokens written to the prompt cache (Anthropic). */
  cacheWriteTokens: z.number().int().min(0).default(0),
  /** Output tokens spent reasoning (OpenAI o-series), counted within the output. */
  reasoningTokens: z.number().int().min(0).default(0),
  /** Overrides the prompt's token count (otherwise about four characters a token). */
  inputTokens: z.number().int().min(0).optional(),
});

export type Behaviour = z.infer<typeof behaviourSchema>;
export type BehaviourInput = z.input<typeof behaviourSchema>;

export interface BehaviourConfig {
  default?: BehaviourInput;
  /** By model name, on top of the default. */
  models?: Record<string, BehaviourInput>;
}

export class Behaviours {
  private config: { default: BehaviourInput; models: Record<string, BehaviourInput> };

  constructor(config: BehaviourConfig = {}) {
    this.config = { default: config.default ?? {}, models: config.models ?? {} };
  }

  /** Replaces the default or a model's behaviour from now on (unset fields keep their defaults). */
  configure(change: BehaviourConfig): void {
    if (change.default) this.config.default = { ...this.config.default, ...change.default };
    for (const [model, behaviour] of Object.entries(change.models ?? {})) {
      this.config.models[model] = { ...this.config.models[model], ...behaviour };
    }
  }

  for(model: string): Behaviour {
    return behaviourSchema.parse({ ...this.config.default, ...this.config.models[model] });
  }
}

/** About four characters a token, like the providers' own rough guide. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
