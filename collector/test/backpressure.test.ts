// Overload and outages answer 429/503 with Retry-After, so exporters retry; nothing accepted is
// lost and memory stays bounded by the queue limit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@vigil/core';
import { startCollector } from '../src/collector.ts';
import { DEFAULT_TEST_SETTINGS, randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { otlpJsonBody, postJson } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector({ VIGIL_QUEUE_MAX_SPANS: 10 });
});
afterAll(() => t.close());

const spans = (traceId: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    traceId,
    spanId: randomHex(8),
    name: `s${i}`,
    attributes: { 'tenant.id': 'acme' },
  }));

describe('backpressure', () => {
  it('answers 429 with Retry-After when the queue is full, and stores the queued request once the database catches up', async () => {
    const blocker = await t.db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const first = otlpJsonBody(spans(randomHex(16), 8));
    const pending = postJson(t.url, t.keyA, first);
    while (t.collector.writer.queuedSpans === 0) await new Promise((r) => setTimeout(r, 10));

    const secondTrace = randomHex(16);
    const overflow = await postJson(t.url, t.keyA, otlpJsonBody(spans(secondTrace, 8)));
    expect(overflow.status).toBe(429);
    expect(Number(overflow.headers.get('retry-after'))).toBeGreaterThan(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_queue_spans 8/);

    await blocker.query('rollback');
    blocker.release();
    expect((await pending).status).toBe(200);
    expect((await postJson(t.url, t.keyA, otlpJsonBody(spans(secondTrace, 8)))).status).toBe(200);
    const { rows } = await t.db.pool.query('select count(*)::int as n from spans where trace_id = $1', [secondTrace]);
    expect(rows[0].n).toBe(8);
  });

  it('answers 503 with Retry-After when the database is unreachable, and reports it in /healthz', async () => {
    const deadPool = createPool('postgres://vigil:wrong@127.0.0.1:1/none');
    const collector = await startCollector(DEFAULT_TEST_SETTINGS, deadPool);
    try {
      const response = await postJson(collector.url, t.keyA, otlpJsonBody(spans(randomHex(16), 1)));
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await response.json()) as { message: string }).message).toContain('database unavailable');
    } finally {
      await collector.close();
      await deadPool.end();
    }
  });
});
