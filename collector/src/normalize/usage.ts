// Token usage from every dialect, converted to Vigil's convention: input INCLUDES cache reads and
// cache writes, output INCLUDES reasoning. Getting this wrong double counts cached tokens, the
// most common cost bug in the peers (see shared reference span-dialects.md §3.1).
//
// Which sources are inclusive (checked against each instrumentation; see README.md):
// - OTel GenAI semconv gen_ai.usage.input_tokens: inclusive by definition (semconv notes; the
//   Anthropic note says to add cache_read and cache_creation to Anthropic's own input_tokens).
// - OpenLLMetry gen_ai.usage.prompt_tokens: inclusive (its Anthropic instrumentation adds the
//   cache counts; OpenAI's prompt_tokens already includes cached tokens).
// - OpenInference llm.token_count.prompt: inclusive (prompt_details.* are parts of it).
// - Vercel AI SDK ai.usage.promptTokens / inputTokens: inclusive for OpenAI, EXCLUSIVE for
//   Anthropic up to AI SDK 5 (the provider copied Anthropic's input_tokens and reported cache
//   counts only in providerMetadata / cachedInputTokens). AI SDK 6+ reports inputTokenDetails.
// - Langfuse usage_details "input": exclusive (Langfuse subtracts cache counts from input); when
//   usage_details is the provider's raw object instead, its provider's convention (providerUsage).
// - Logfire gen_ai.usage.raw: the provider's raw object (providerUsage).
// - OpenLIT gen_ai.usage.input_tokens: the provider's own count (emitter.ts), so EXCLUSIVE for
//   Anthropic and Bedrock, inclusive for OpenAI.
// Whatever the source, a cache part larger than the whole proves the whole was exclusive.

import type { TokenUsage } from '@vigil/core';
import type { Attributes } from '../otlp/types.ts';
import { type InputConvention, inputExcludesCache } from './emitter.ts';
import { firstCount, jsonObject, pathValue, toCount } from './values.ts';

const INPUT_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'llm.usage.prompt_tokens',
];
const OUTPUT_KEYS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'llm.usage.completion_tokens',
];
const CACHE_READ_KEYS = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'gen_ai.usage.prompt_tokens_details.cache_read',
  'gen_ai.usage.prompt_tokens_details.cached_tokens',
  'gen_ai.usage.details.cache_read_tokens',
  'gen_ai.usage.details.cache_read_input_tokens',
];
const CACHE_WRITE_KEYS = [
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'gen_ai.usage.prompt_tokens_details.cache_write',
  'gen_ai.usage.prompt_tokens_details.cache_creation_tokens',
  'gen_ai.usage.details.cache_write_tokens',
  'gen_ai.usage.details.cache_creation_input_tokens',
];
const REASONING_KEYS = [
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.usage.reasoning_tokens',
  'llm.token_count.completion_details.reasoning',
  'gen_ai.usage.completion_tokens_details.reasoning',
  'gen_ai.usage.completion_tokens_details.reasoning_tokens',
  'gen_ai.usage.details.reasoning_tokens',
];

function emptyUsage(): TokenUsage {
  return {
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    cacheWrite1hTokens: null,
    reasoningTokens: null,
  };
}

/** A cache part can never exceed the whole: when it does, the whole was reported without it. */
function makeInputInclusive(usage: TokenUsage): TokenUsage {
  const parts = (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  if (usage.inputTokens !== null && parts > usage.inputTokens) usage.inputTokens += parts;
  if (usage.outputTokens !== null && (usage.reasoningTokens ?? 0) > usage.outputTokens)
    usage.outputTokens += usage.reasoningTokens!;
  return usage;
}

function hasAny(usage: TokenUsage): boolean {
  return usage.inputTokens !== null || usage.outputTokens !== null;
}

/** Vercel AI SDK `ai.usage.*`, with the provider-dependent cache rule. */
function vercelUsage(attributes: Attributes, provider: string | null): TokenUsage | null {
  const input = firstCount(attributes, ['ai.usage.inputTokens', 'ai.usage.promptTokens']);
  const output = firstCount(attributes, ['ai.usage.outputTokens', 'ai.usage.completionTokens']);
  if (input === null && output === null) return null;
  const metadata = jsonObject(attributes['ai.response.providerMetadata']);
  const usage = emptyUsage();
  usage.inputTokens = input;
  usage.outputTokens = output;
  usage.reasoningTokens =
    firstCount(attributes, ['ai.usage.reasoningTokens', 'ai.usage.outputTokenDetails.reasoningTokens']) ??
    toCount(pathValue(metadata, ['openai', 'reasoningTokens']));

  // AI SDK 6+: explicit input details, total inclusive.
  const detailRead = firstCount(attributes, ['ai.usage.inputTokenDetails.cacheReadTokens']);
  const detailWrite = firstCount(attributes, ['ai.usage.inputTokenDetails.cacheWriteTokens']);
  if (detailRead !== null || detailWrite !== null) {
    usage.cacheReadTokens = detailRead;
    usage.cacheWriteTokens = detailWrite;
    return makeInputInclusive(usage);
  }

  const anthropicRead = toCount(
    pathValue(metadata, ['anthropic', 'cacheReadInputTokens']) ??
      pathValue(metadata, ['anthropic', 'usage', 'cache_read_input_tokens']),
  );
  const anthropicWrite = toCount(
    pathValue(metadata, ['anthropic', 'cacheCreationInputTokens']) ??
      pathValue(metadata, ['anthropic', 'usage', 'cache_creation_input_tokens']),
  );
  usage.cacheWrite1hTokens = toCount(
    pathValue(metadata, ['anthropic', 'usage', 'cache_creation', 'ephemeral_1h_input_tokens']),
  );
  const bedrockRead = toCount(pathValue(metadata, ['bedrock', 'usage', 'cacheReadInputTokens']));
  const bedrockWrite = toCount(pathValue(metadata, ['bedrock', 'usage', 'cacheWriteInputTokens']));
  const cached =
    firstCount(attributes, ['ai.usage.cachedInputTokens']) ??
    toCount(pathValue(metadata, ['openai', 'cachedPromptTokens']));
  usage.cacheReadTokens = anthropicRead ?? bedrockRead ?? cached;
  usage.cacheWriteTokens = anthropicWrite ?? bedrockWrite;

  // Anthropic and Bedrock report input without the cached parts in AI SDK 3–5.
  const exclusive =
    provider === 'anthropic' ||
    provider === 'aws.bedrock' ||
    anthropicRead !== null ||
    anthropicWrite !== null ||
    bedrockRead !== null;
  if (exclusive && usage.inputTokens !== null)
    usage.inputTokens += (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  return makeInputInclusive(usage);
}

/**
 * A provider's own usage object, as some libraries pass it on whole (Langfuse's usage_details,
 * Logfire's gen_ai.usage.raw), in its provider's convention:
 * - OpenAI chat: `prompt_tokens` inclusive of `prompt_tokens_details.cached_tokens`,
 *   `completion_tokens` inclusive of `completion_tokens_details.reasoning_tokens`;
 * - OpenAI Responses: `input_tokens` inclusive of `input_tokens_details.cached_tokens`,
 *   `output_tokens` of `output_tokens_details.reasoning_tokens`;
 * - Anthropic: `input_tokens` EXCLUSIVE of `cache_read_input_tokens` and
 *   `cache_creation_input_tokens`, which `cache_creation.ephemeral_5m/1h_input_tokens` split by
 *   how long the cache is kept.
 * Null when the object is none of these.
 */
export function providerUsage(raw: Attributes): TokenUsage | null {
  const usage = emptyUsage();
  if (raw.prompt_tokens !== undefined || raw.completion_tokens !== undefined) {
    usage.inputTokens = toCount(raw.prompt_tokens);
    usage.outputTokens = toCount(raw.completion_tokens);
    usage.cacheReadTokens = toCount(pathValue(raw, ['prompt_tokens_details', 'cached_tokens']));
    usage.reasoningTokens = toCount(pathValue(raw, ['completion_tokens_details', 'reasoning_tokens']));
  } else if (
    raw.cache_read_input_tokens !== undefined ||
    raw.cache_creation_input_tokens !== undefined ||
    raw.cache_creation !== undefined
  ) {
    const uncached = toCount(raw.input_tokens);
    const fiveMinutes = toCount(pathValue(raw, ['cache_creation', 'ephemeral_5m_input_tokens']));
    const oneHour = toCount(pathValue(raw, ['cache_creation', 'ephemeral_1h_input_tokens']));
    usage.cacheReadTokens = toCount(raw.cache_read_input_tokens);
    usage.cacheWriteTokens =
      toCount(raw.cache_creation_input_tokens) ??
      (fiveMinutes === null && oneHour === null ? null : (fiveMinutes ?? 0) + (oneHour ?? 0));
    usage.cacheWrite1hTokens = oneHour;
    usage.inputTokens =
      uncached === null ? null : uncached + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
    usage.outputTokens = toCount(raw.output_tokens);
  } else if (raw.input_tokens !== undefined || raw.output_tokens !== undefined) {
    // OpenAI Responses, or Anthropic without cache counts (then exclusive and inclusive agree).
    usage.inputTokens = toCount(raw.input_tokens);
    usage.outputTokens = toCount(raw.output_tokens);
    usage.cacheReadTokens = toCount(pathValue(raw, ['input_tokens_details', 'cached_tokens']));
    usage.reasoningTokens = toCount(pathValue(raw, ['output_tokens_details', 'reasoning_tokens']));
  } else return null;
  return hasAny(usage) ? makeInputInclusive(usage) : null;
}

/**
 * Langfuse `langfuse.observation.usage_details`: either the provider's raw usage object (the
 * Python SDK passes OpenAI's on whole) or Langfuse's own keys, where input is the uncached part.
 */
function langfuseUsage(attributes: Attributes): TokenUsage | null {
  const details = jsonObject(attributes['langfuse.observation.usage_details']);
  if (!details) return null;
  if (details.prompt_tokens !== undefined || details.input_tokens !== undefined) return providerUsage(details);
  const usage = emptyUsage();
  const read = toCount(details.cache_read_input_tokens ?? details.input_cached_tokens ?? details.input_cache_read);
  const write = toCount(
    details.cache_creation_input_tokens ?? details.input_cache_creation ?? details.input_cache_write,
  );
  const input = toCount(details.input);
  usage.cacheReadTokens = read;
  usage.cacheWriteTokens = write;
  usage.inputTokens = input === null ? null : input + (read ?? 0) + (write ?? 0);
  usage.outputTokens = toCount(details.output);
  usage.reasoningTokens = toCount(
    details.output_reasoning_tokens ?? details.reasoning_tokens ?? details.output_reasoning,
  );
  return hasAny(usage) ? makeInputInclusive(usage) : null;
}

export function readUsage(
  attributes: Attributes,
  provider: string | null,
  convention: InputConvention = 'semconv',
): TokenUsage {
  if (
    attributes['ai.usage.promptTokens'] !== undefined ||
    attributes['ai.usage.inputTokens'] !== undefined ||
    attributes['ai.usage.outputTokens'] !== undefined
  ) {
    const vercel = vercelUsage(attributes, provider);
    if (vercel) return vercel;
  }
  // Logfire keeps the cache and reasoning counts only in the provider's raw usage.
  const raw = jsonObject(attributes['gen_ai.usage.raw']);
  const fromRaw = raw ? providerUsage(raw) : null;
  if (fromRaw) return fromRaw;
  const usage = emptyUsage();
  usage.inputTokens = firstCount(attributes, INPUT_KEYS);
  usage.outputTokens = firstCount(attributes, OUTPUT_KEYS);
  usage.cacheReadTokens = firstCount(attributes, CACHE_READ_KEYS);
  usage.cacheWriteTokens = firstCount(attributes, CACHE_WRITE_KEYS);
  usage.reasoningTokens = firstCount(attributes, REASONING_KEYS);
  if (usage.inputTokens !== null && inputExcludesCache(convention, provider))
    usage.inputTokens += (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  if (hasAny(usage)) return makeInputInclusive(usage);
  return langfuseUsage(attributes) ?? usage;
}
