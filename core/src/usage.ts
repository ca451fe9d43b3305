// Token usage in Vigil's one convention, whatever dialect it came from.

export interface TokenUsage {
  /** All input tokens, inclusive of cache reads and cache writes (the OTel GenAI convention). */
  inputTokens: number | null;
  /** All output tokens, inclusive of reasoning tokens. */
  outputTokens: number | null;
  /** Input tokens served from the provider's prompt cache (a part of inputTokens). */
  cacheReadTokens: number | null;
  /** Input tokens written to the provider's prompt cache (a part of inputTokens). */
  cacheWriteTokens: number | null;
  /**
   * The cache writes kept for one hour (a part of cacheWriteTokens; the rest are five-minute
   * writes). Anthropic bills them at 2x the input rate, against 1.25x for five minutes.
   */
  cacheWrite1hTokens: number | null;
  /** Reasoning ("thinking") tokens (a part of outputTokens). */
  reasoningTokens: number | null;
}
