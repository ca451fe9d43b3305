// What the fake providers report to the peer instrumentations, so the tests know the true usage.

export const PEER_TTFT_MS = 150;

export const PEER_BEHAVIOUR = {
  default: { ttftMs: PEER_TTFT_MS, interChunkMs: 1, outputTokens: 20 },
  models: {
    // OpenAI: 1200 prompt tokens of which 1024 cached; 20 output tokens of which 8 reasoning.
    'gpt-4o-mini': { inputTokens: 1200, cacheReadTokens: 1024, reasoningTokens: 8 },
    // Anthropic: 3000 prompt tokens in all: 2000 cache reads, 500 cache writes, 500 uncached.
    'claude-sonnet-4-5': { inputTokens: 3000, cacheReadTokens: 2000, cacheWriteTokens: 500 },
  },
};
