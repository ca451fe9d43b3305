// The orchestrator of a typical AI app: validate, rate-limit, look in the semantic cache, retrieve
// context, call a model (falling back to a second provider), log the cost. Vigil's SDK sees every
// step: the pg queries, the cache lookup, the model calls, with the request's tenant on each.

import type Anthropic from '@anthropic-ai/sdk';
import { traceCache } from '@vigil/sdk';
import type OpenAI from 'openai';
import type pg from 'pg';
import { z } from 'zod';

export const questionSchema = z.object({
  question: z.string().trim().min(1, 'question is empty').max(2000, 'question is longer than 2000 characters'),
});

export interface AppModels {
  /** The primary model (OpenAI-compatible) and the fallback (Anthropic). */
  primary: string;
  fallback: string;
}

export interface Answer {
  answer: string;
  source: 'cache' | 'model';
  provider?: 'openai' | 'anthropic';
  model?: string;
}

export class RateLimited extends Error {}

/** What the app believes a call costs, per million tokens: the figure it logs in ai_api_calls. */
const ROUGH_PRICES: Record<string, [number, number]> = { openai: [0.15, 0.6], anthropic: [3, 15] };

export class Orchestrator {
  private readonly pool: pg.Pool;
  private readonly openai: OpenAI;
  private readonly anthropic: Anthropic;
  private readonly models: AppModels;
  private readonly perMinute: number;

  constructor(options: { pool: pg.Pool; openai: OpenAI; anthropic: Anthropic; models: AppModels; perMinute?: number }) {
    this.pool = options.pool;
    this.openai = options.openai;
    this.anthropic = options.anthropic;
    this.models = options.models;
    this.perMinute = options.perMinute ?? 30;
  }

  async answer(input: unknown, userId: string): Promise<Answer> {
    const { question } = questionSchema.parse(input);
    await this.checkRateLimit(userId);
    const key = question
      .toLowerCase()
      .replace(/[^a-z0-9 ]/g, '')
      .replace(/\s+/g, ' ');
    const cached = await traceCache('semantic', key, async () => {
      const { rows } = await this.pool.query<{ answer: string }>(
        'select answer from semantic_cache where question_key = $1',
        [key],
      );
      return rows[0]?.answer;
    });
    if (cached) return { answer: cached, source: 'cache' };
    const context = await this.retrieve(question);
    const prompt = `Answer from this context only.\n${context.join('\n')}\n\nQuestion: ${question}`;
    const answer = await this.callModel(prompt, userId);
    await this.pool.query('insert into semantic_cache (question_key, answer) values ($1, $2) on conflict do nothing', [
      key,
      answer.answer,
    ]);
    return answer;
  }

  /** A per-user limit counted from the app's own log of model calls. */
  private async checkRateLimit(userId: string): Promise<void> {
    const { rows } = await this.pool.query<{ n: number }>(
      `select count(*)::int as n from ai_api_calls where user_id = $1 and created_at > now() - interval '1 minute'`,
      [userId],
    );
    if (rows[0]!.n >= this.perMinute) throw new RateLimited(`more than ${this.perMinute} questions a minute`);
  }

  private async retrieve(question: string): Promise<string[]> {
    const words = question.toLowerCase().match(/[a-z]{4,}/g) ?? [];
    const { rows } = await this.pool.query<{ body: string }>(
      `select body from documents where lower(body) similar to $1 limit 3`,
      [words.length ? `%(${words.slice(0, 8).join('|')})%` : '%'],
    );
    return rows.map((r) => r.body);
  }

  private async callModel(prompt: string, userId: string): Promise<Answer> {
    const started = performance.now();
    try {
      const stream = await this.openai.chat.completions.create({
        model: this.models.primary,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
      });
      let text = '';
      let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      await this.logCall(
        userId,
        'openai',
        this.models.primary,
        usage?.prompt_tokens,
        usage?.completion_tokens,
        started,
        'ok',
      );
      return { answer: text, source: 'model', provider: 'openai', model: this.models.primary };
    } catch (error) {
      await this.logCall(userId, 'openai', this.models.primary, undefined, undefined, started, 'error');
      void error;
    }
    const fallbackStarted = performance.now();
    const message = await this.anthropic.messages.create({
      model: this.models.fallback,
      max_tokens: 400,
      messages: [{ role: 'user', content: prompt }],
    });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const input =
      message.usage.input_tokens +
      (message.usage.cache_read_input_tokens ?? 0) +
      (message.usage.cache_creation_input_tokens ?? 0);
    await this.logCall(
      userId,
      'anthropic',
      this.models.fallback,
      input,
      message.usage.output_tokens,
      fallbackStarted,
      'ok',
    );
    return { answer: text, source: 'model', provider: 'anthropic', model: this.models.fallback };
  }

  private async logCall(
    userId: string,
    provider: 'openai' | 'anthropic',
    model: string,
    input: number | undefined,
    output: number | undefined,
    startedAt: number,
    status: 'ok' | 'error',
  ): Promise<void> {
    const [inPrice, outPrice] = ROUGH_PRICES[provider]!;
    const cost = input !== undefined && output !== undefined ? (input * inPrice + output * outPrice) / 1e6 : null;
    await this.pool.query(
      `insert into ai_api_calls (user_id, provider, model, input_tokens, output_tokens, latency_ms, estimated_cost, status) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [userId, provider, model, input ?? null, output ?? null, Math.round(performance.now() - startedAt), cost, status],
    );
  }
}
