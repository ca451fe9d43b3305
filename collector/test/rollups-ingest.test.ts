// After a mixed ingest through the collector (children before their roots, wrapper spans found
// late, retried duplicate exports, errors, several tenants), rollups and sessions agree with the
// raw spans: pending, after compaction, and in every grain.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactRollups, readMetrics, readTopSessions, SERVICE_CALLER } from '@vigil/core';
import { startTestCollector, randomHex, type TestCollector } from './harness.ts';
import { chatAttributes, otlpJsonBody, postJson, type TestSpan } from './otlp-json.ts';

let t: TestCollector;
const HOUR = 3_600_000;
const now = Date.now();

beforeAll(async () => {
  t = await startTestCollector();
  // Hours before this are "built", so spans from three hours ago go the late-data way.
  await t.db.pool.query(`update rollup_progress set built_until = $1 where grain = 'hour'`, [
    new Date(Math.floor((now - 2 * HOUR) / HOUR) * HOUR),
  ]);
});
afterAll(() => t.close());

const chat = (model: string, input: number, output: number, extra: Record<string, number | string> = {}) =>
  chatAttributes(model, input, output, { 'gen_ai.usage.cache_read.input_tokens': Math.floor(input / 4), ...extra });

/** One request: a root with tenant and session, model calls (one wrapped), db and cache calls. */
function request(i: number, startMs: number): { root: TestSpan[]; children: TestSpan[] } {
  const traceId = randomHex(16);
  const rootId = randomHex(8);
  const wrapperId = randomHex(8);
  const tenant = `tenant-${i % 3}`;
  const root: TestSpan = {
    traceId,
    spanId: rootId,
    name: 'POST /api/chat',
    kind: 2,
    startMs,
    durationMs: 2000 + (i % 7) * 300,
    error: i % 11 === 0,
    attributes: {
      'tenant.id': tenant,
      'session.id': `${tenant}-s${i % 4}`,
      'user.id': `${tenant}-u${i % 2}`,
      'http.route': i % 2 ? '/api/chat' : '/api/search',
      'http.request.method': 'POST',
    },
  };
  const children: TestSpan[] = [
    {
      traceId,
      spanId: wrapperId,
      parentSpanId: rootId,
      name: 'chat agent',
      startMs: startMs + 5,
      durationMs: 1500,
      attributes: chat('gpt-4o', 800 + i, 80),
    },
    {
      traceId,
      spanId: randomHex(8),
      parentSpanId: wrapperId,
      name: 'chat gpt-4o',
      startMs: startMs + 10,
      durationMs: 900 + i * 13,
      attributes: chat('gpt-4o', 800 + i, 80, { 'gen_ai.response.time_to_first_chunk': 0.2 + (i % 5) / 10 }),
    },
    {
      traceId,
      spanId: randomHex(8),
      parentSpanId: rootId,
      name: 'chat gpt-4o-mini',
      startMs: startMs + 20,
      durationMs: 300 + i * 7,
      error: i % 13 === 0,
      attributes: chat('gpt-4o-mini', 200, 30 + i),
    },
    {
      traceId,
      spanId: randomHex(8),
      parentSpanId: rootId,
      name: 'SELECT',
      startMs: startMs + 30,
      durationMs: 3 + (i % 9),
      attributes: { 'db.system.name': 'postgresql' },
    },
    {
      traceId,
      spanId: randomHex(8),
      parentSpanId: rootId,
      name: 'GET',
      startMs: startMs + 40,
      durationMs: 0.4 + (i % 3) / 10,
      attributes: { 'db.system': 'redis' },
    },
  ];
  return { root: [root], children };
}

describe('rollups after a mixed ingest', () => {
  it('agree with raw spans, including pending deltas, late parents, wrappers and retried exports', async () => {
    for (let i = 0; i < 40; i++) {
      const startMs = i < 10 ? now - 3 * HOUR + i * 60_000 : now - 50 * 60_000 + i * 60_000;
      const { root, children } = request(i, startMs);
      // Most requests export children first (the root ends last); some wrappers arrive after their inner call.
      const inner = children[1]!;
      const rest = children.filter((c) => c !== inner);
      const order =
        i % 3 === 0 ? [[inner], rest, root] : i % 3 === 1 ? [[...children, ...root]] : [rest, [inner], root];
      for (const part of order) {
        const body = otlpJsonBody(part);
        expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
        // Retried exports: the same body again.
        if (i % 4 === 0) expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
      }
      if (i === 20) await compactRollups(t.db.pool);
    }
    const window = { from: new Date(now - 4 * HOUR), to: new Date(now + HOUR) };
    const check = async () => {
      for (const groupBy of [['tenant_id'], ['category', 'model'], ['surface', 'status']] as const) {
        const rollup = await readMetrics(t.db.pool, SERVICE_CALLER, {
          projectId: t.projectA,
          window,
          groupBy: [...groupBy],
        });
        const exact = await readMetrics(t.db.pool, SERVICE_CALLER, {
          projectId: t.projectA,
          window,
          groupBy: [...groupBy],
          exact: true,
        });
        const strip = (points: typeof rollup) =>
          points
            .map((p) => ({
              group: p.group,
              spans: p.spans,
              requests: p.requests,
              errors: p.errors,
              tokens: p.tokens,
              calls: p.modelCalls,
              cost: Number(p.costUsd.toFixed(9)),
              ttft: p.ttftMs.count,
            }))
            .sort((x, y) => JSON.stringify(x.group).localeCompare(JSON.stringify(y.group)));
        expect(strip(rollup)).toEqual(strip(exact));
      }
      const { rows } = await t.db.pool.query(
        `select tenant_id, session_id, count(*)::int as spans, coalesce(sum(cost_usd) filter (where category = 'model'), 0) as cost
           from spans where project_id = $1 and session_id is not null group by 1, 2 order by cost desc, 1, 2`,
        [t.projectA],
      );
      const sessions = await readTopSessions(t.db.pool, SERVICE_CALLER, { projectId: t.projectA, window, limit: 100 });
      const key = (x: { tenant: string; session: string; spans: number; cost: number }) =>
        `${x.tenant}/${x.session}/${x.spans}/${x.cost.toFixed(9)}`;
      expect(
        sessions.map((s) => key({ tenant: s.tenantId, session: s.sessionId, spans: s.spans, cost: s.costUsd })).sort(),
      ).toEqual(
        rows.map((r) => key({ tenant: r.tenant_id, session: r.session_id, spans: r.spans, cost: r.cost })).sort(),
      );
    };
    await check();
    expect(
      (await t.db.pool.query(`select count(*)::int as n from rollups_minute where pending`)).rows[0].n,
    ).toBeGreaterThan(0);
    await compactRollups(t.db.pool);
    await check();
    // No tenant left unknown: every child inherited its root's.
    const unknown = await readMetrics(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      filters: { tenant_id: ['unknown'] },
    });
    expect(unknown).toEqual([]);
  });
});

describe('the collector compacts rollups by itself', () => {
  it('folds pending deltas in the background when VIGIL_COMPACT_INTERVAL_MS is set', async () => {
    const own = await startTestCollector({ VIGIL_COMPACT_INTERVAL_MS: 50 });
    try {
      const { root, children } = request(1, Date.now());
      expect((await postJson(own.url, own.keyA, otlpJsonBody([...root, ...children]))).status).toBe(200);
      const pending = async () =>
        (await own.db.pool.query(`select count(*)::int as n from rollups_minute where pending`)).rows[0].n as number;
      for (let i = 0; i < 200 && (await pending()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await pending()).toBe(0);
      const { rows } = await own.db.pool.query(`select sum(span_count)::int as n from rollups_minute where cuboid = 0`);
      expect(rows[0].n).toBe(6);
    } finally {
      await own.close();
    }
  });
});
