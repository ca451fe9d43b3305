// Resolved spans for query tests: requests of an AI app over a time range, with skewed tenants,
// log-normal latencies and a slow mode, errors, cached tokens and TTFT.

import { randomBytes } from 'node:crypto';
import { NO_USAGE, seededRandom, type SpanRow } from '@vigil/core';

const MODELS: [string, string][] = [
  ['gpt-4o-mini', 'openai'],
  ['gpt-4o', 'openai'],
  ['claude-sonnet-4', 'anthropic'],
  ['gemini-2.0-flash', 'gcp.gemini'],
];
const SURFACES = ['/api/chat', '/api/search', '/api/summarize'];

export interface GenerateOptions {
  projectId: string;
  fromMs: number;
  toMs: number;
  requests: number;
  seed?: number;
  tenants?: number;
  deployments?: string[];
}

export function generateSpans(o: GenerateOptions): SpanRow[] {
  const random = seededRandom(o.seed ?? 1);
  const spans: SpanRow[] = [];
  const tenants = o.tenants ?? 6;
  for (let r = 0; r < o.requests; r++) {
    const traceId = randomBytes(16).toString('hex');
    const start = o.fromMs + Math.floor(random() * (o.toMs - o.fromMs - 60_000));
    const tenantId = `tenant-${Math.floor(random() ** 2 * tenants)}`;
    const sessionId = `${tenantId}-s${Math.floor(random() * 40)}`;
    const userId = `${tenantId}-u${Math.floor(random() * 10)}`;
    const surface = SURFACES[Math.floor(random() * SURFACES.length)]!;
    const deployment = (o.deployments ?? ['v1'])[Math.floor(random() * (o.deployments ?? ['v1']).length)]!;
    const base = {
      projectId: o.projectId,
      tenantId,
      sessionId,
      userId,
      surface,
      deployment,
      traceId,
      serviceName: 'ai-app',
      kind: 1,
      statusMessage: null,
      environment: 'test',
      operation: null,
      promptName: null,
      promptVersion: null,
      ttftMs: null,
      cacheHit: null,
      ...NO_USAGE,
      model: null,
      provider: null,
      attributes: {},
      events: [],
    };
    const rootId = randomBytes(8).toString('hex');
    const rootError = random() < 0.03;
    spans.push({
      ...base,
      spanId: rootId,
      parentSpanId: null,
      name: `POST ${surface}`,
      startMs: start,
      durationMs: 0,
      category: 'http',
      status: rootError ? 'error' : 'ok',
    });
    const root = spans[spans.length - 1]!;
    let end = start;
    const calls = 1 + Math.floor(random() * 3);
    for (let c = 0; c < calls; c++) {
      const [model, provider] = MODELS[Math.floor(random() ** 1.5 * MODELS.length)]!;
      const slow = random() < 0.1;
      const durationMs = slow
        ? 4000 + random() * 20_000
        : Math.exp(6 + 0.6 * Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random()));
      const input = 100 + Math.floor(random() * 3000);
      const cached = Math.floor(input * random() * 0.5);
      spans.push({
        ...base,
        spanId: randomBytes(8).toString('hex'),
        parentSpanId: rootId,
        name: `chat ${model}`,
        startMs: end + 1,
        durationMs,
        category: 'model',
        status: random() < 0.02 ? 'error' : 'ok',
        model,
        provider,
        operation: 'chat',
        ttftMs: durationMs * (0.1 + random() * 0.3),
        inputTokens: input,
        outputTokens: 20 + Math.floor(random() * 500),
        cacheReadTokens: cached,
        cacheWriteTokens: 0,
        reasoningTokens: model === 'gpt-4o' ? Math.floor(random() * 50) : 0,
        costUsd: random() < 0.05 ? null : (input * 2.5 + 300 * 10) / 1e6,
        costSource: 'catalog',
      });
      end += durationMs + 1;
    }
    for (let d = 0; d < 2; d++) {
      const durationMs = random() < 0.5 ? 0.3 + random() * 2 : 5 + random() * 40;
      spans.push({
        ...base,
        spanId: randomBytes(8).toString('hex'),
        parentSpanId: rootId,
        name: d ? 'GET' : 'SELECT',
        startMs: end,
        durationMs,
        category: d ? 'cache' : 'db',
        // A cache lookup's provider is the cache that served it (two here, by request).
        provider: d ? (r % 3 === 0 ? 'semantic' : 'redis') : null,
        status: 'ok',
        // The fast lookups hit (about half): drawn from the duration, so the random stream is unchanged.
        cacheHit: d ? durationMs < 2.3 : null,
      });
      end += durationMs;
    }
    root.durationMs = end - start + 5;
  }
  return spans;
}
