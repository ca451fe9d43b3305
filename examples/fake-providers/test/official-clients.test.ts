// The fake providers against the official clients: if these read our answers as they read the real
// APIs', the SDK's instrumentation and the example app are tested against the real contracts.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProviders, startFakeProviders } from '../src/index.ts';

let providers: FakeProviders;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  providers = await startFakeProviders({
    default: { ttftMs: 120, interChunkMs: 2, outputTokens: 12 },
    models: {
      'gpt-4o-mini': { cacheReadTokens: 64, inputTokens: 200 },
      'o4-mini': { reasoningTokens: 5 },
      'claude-sonnet-4-5': { inputTokens: 3000, cacheReadTokens: 2000, cacheWriteTokens: 500 },
    },
  });
  openai = new OpenAI({ baseURL: providers.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: providers.anthropicBaseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
});
afterAll(() => providers.close());

describe('fake OpenAI, through the official client', () => {
  it('answers a chat completion with usage that counts cached tokens inside prompt tokens', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]!.message.content).toMatch(/^The answer/);
    expect(completion.usage).toMatchObject({
      prompt_tokens: 200,
      completion_tokens: 12,
      prompt_tokens_details: { cached_tokens: 64 },
    });
  });

  it('streams chunks after the configured time to first token, ending with the usage chunk when asked', async () => {
    const started = performance.now();
    const stream = await openai.chat.completions.create({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let firstContentMs: number | null = null;
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content;
      if (delta && firstContentMs === null) firstContentMs = performance.now() - started;
      text += delta ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(firstContentMs).toBeGreaterThanOrEqual(115);
    expect(text.length).toBeGreaterThan(10);
    expect(usage).toMatchObject({ completion_tokens: 12, completion_tokens_details: { reasoning_tokens: 5 } });
  });

  it('streams without a usage chunk unless stream_options asks for one', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const usages: unknown[] = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([]);
  });

  it('answers embeddings in the base64 form the client asks for by default', async () => {
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'bb'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(8);
    expect(result.usage.prompt_tokens).toBe(2);
  });

  it('fails with OpenAI error bodies at the configured rate, and without a key', async () => {
    providers.behaviours.configure({ models: { 'gpt-flaky': { errorRate: 1 } } });
    await expect(
      openai.chat.completions.create({ model: 'gpt-flaky', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 500 });
    // The client refuses to send without a key, so ask as a bare HTTP caller would.
    const keyless = await fetch(`${providers.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(keyless.status).toBe(401);
    expect(await keyless.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('fake Anthropic, through the official client', () => {
  it('answers a message with input tokens that leave out cache reads and writes', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(message.usage).toMatchObject({
      input_tokens: 500,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 500,
      output_tokens: 12,
    });
  });

  it('streams message_start early and the first text delta after the time to first token', async () => {
    const started = performance.now();
    const stream = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    const seen: { type: string; ms: number }[] = [];
    let outputTokens = 0;
    for await (const event of stream) {
      seen.push({ type: event.type, ms: performance.now() - started });
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
    const first = (type: string) => seen.find((e) => e.type === type)!.ms;
    expect(first('message_start')).toBeLessThan(first('content_block_delta'));
    expect(first('content_block_delta')).toBeGreaterThanOrEqual(115);
    expect(seen.at(-1)!.type).toBe('message_stop');
    expect(outputTokens).toBe(12);
  });

  it('fails with a 529 overloaded error at the configured rate', async () => {
    providers.behaviours.configure({ models: { 'claude-flaky': { errorRate: 1 } } });
    await expect(
      anthropic.messages.create({ model: 'claude-flaky', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 529 });
  });
});
