// Model-call spans for alert tests, loaded the way the collector stores them (raw spans and
// rollup deltas), with a chosen deployment, latency, TTFT, error rate and cost.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { bulkLoadSpans, type SpanRow as SpanRecord } from '@vigil/core';

export interface TrafficOptions {
  projectId: string;
  fromMs: number;
  toMs: number;
  count: number;
  deployment?: string;
  tenant?: string;
  latencyMs?: number;
  ttftMs?: number;
  errorRate?: number;
  costUsd?: number;
  seed?: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

export function modelCalls(o: TrafficOptions): SpanRecord[] {
  const rand = random(o.seed ?? 7);
  const noise = () => Math.exp(0.3 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand()));
  return Array.from({ length: o.count }, (_, i) => {
    const startMs = o.fromMs + Math.floor(((o.toMs - o.fromMs) * (i + rand())) / o.count);
    const error = rand() < (o.errorRate ?? 0);
    return {
      projectId: o.projectId,
      tenantId: o.tenant ?? `tenant-${i % 4}`,
      sessionId: `s-${i % 20}`,
      userId: `u-${i % 10}`,
      surface: '/api/chat',
      deployment: o.deployment ?? 'v1',
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: null,
      serviceName: 'chat-api',
      name: 'chat gpt-4o-mini',
      kind: 3,
      startMs,
      durationMs: (o.latencyMs ?? 400) * noise(),
      category: 'model' as const,
      status: error ? ('error' as const) : ('ok' as const),
      statusMessage: null,
      environment: 'test',
      model: 'gpt-4o-mini',
      provider: 'openai',
      operation: 'chat',
      promptName: null,
      promptVersion: null,
      ttftMs: (o.ttftMs ?? 150) * noise(),
      cacheHit: null,
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      cacheWrite1hTokens: null,
      reportedCostUsd: null,
      costUsd: (o.costUsd ?? 0.001) * noise(),
      costSource: 'catalog',
      attributes: {},
      events: [],
    };
  });
}

export async function loadTraffic(pool: pg.Pool, options: TrafficOptions): Promise<void> {
  await bulkLoadSpans(pool, modelCalls(options));
}
