// The collector end to end against a real Postgres: what arrives is stored once, under the
// project of the key, with context inherited down the trace and model calls counted once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestKey, createProject, readCostCoverage, readMetrics, SERVICE_CALLER } from '@vigil/core';
import { startTestCollector, randomHex, type TestCollector } from './harness.ts';
import { chatAttributes, otlpJsonBody, postJson } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
});
afterAll(() => t.close());

const chat = chatAttributes;

async function spansOf(traceId: string) {
  const { rows } = await t.db.pool.query(
    `select vigil_span_hex(span_id) as span_id, project_id, tenant_id, session_id, user_id, surface, category, model, provider, input_tokens, output_tokens,
            cache_read_tokens, cost_usd, cost_source
       from spans where trace_id = $1 order by span_id`,
    [traceId],
  );
  return rows;
}

async function callsOf(traceId: string) {
  const { rows } = await t.db.pool.query(
    `select span_id, project_id, tenant_id, session_id, user_id, model, input_tokens, output_tokens, estimated_cost
       from ai_api_calls where trace_id = $1 order by span_id`,
    [traceId],
  );
  return rows;
}

describe('context inheritance', () => {
  it('stamps the root span tenant, session, user and route on every model, db and cache span below it', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      {
        traceId,
        spanId: '000000000000000a',
        name: 'POST /api/chat',
        kind: 2,
        attributes: {
          'tenant.id': 'acme',
          'session.id': 's1',
          'user.id': 'u1',
          'http.route': '/api/chat',
          'http.request.method': 'POST',
        },
      },
      { traceId, spanId: '000000000000000b', parentSpanId: '000000000000000a', name: 'orchestrate' },
      {
        traceId,
        spanId: '000000000000000c',
        parentSpanId: '000000000000000b',
        name: 'chat gpt-4o-mini',
        kind: 3,
        attributes: chat('gpt-4o-mini', 1000, 200),
      },
      {
        traceId,
        spanId: '000000000000000d',
        parentSpanId: '000000000000000b',
        name: 'SELECT docs',
        kind: 3,
        attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'select 1' },
      },
      {
        traceId,
        spanId: '000000000000000e',
        parentSpanId: '000000000000000b',
        name: 'GET',
        kind: 3,
        attributes: { 'db.system': 'redis', 'db.operation.name': 'GET' },
      },
    ]);
    const response = await postJson(t.url, t.keyA, body);
    expect(response.status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({
        project_id: t.projectA,
        tenant_id: 'acme',
        session_id: 's1',
        user_id: 'u1',
        surface: '/api/chat',
      });
    }
    expect(rows.map((r) => r.category)).toEqual(['http', 'other', 'model', 'db', 'cache']);
    const calls = await callsOf(traceId);
    expect(calls).toEqual([
      expect.objectContaining({
        span_id: '000000000000000c',
        tenant_id: 'acme',
        session_id: 's1',
        user_id: 'u1',
        model: 'gpt-4o-mini',
        input_tokens: 1000,
        output_tokens: 200,
      }),
    ]);
    expect(calls[0].estimated_cost).toBeGreaterThan(0);
  });

  it('fills in spans stored before their ancestor arrived, in spans and ai_api_calls', async () => {
    const traceId = randomHex(16);
    // The batch processor exports children first: the root ends last.
    const children = otlpJsonBody([
      {
        traceId,
        spanId: '00000000000000b1',
        parentSpanId: '00000000000000a1',
        name: 'chat gpt-4o',
        attributes: chat('gpt-4o', 50, 10),
      },
      {
        traceId,
        spanId: '00000000000000c1',
        parentSpanId: '00000000000000b1',
        name: 'db',
        attributes: { 'db.system.name': 'postgresql', 'session.id': 'own-session' },
      },
    ]);
    expect((await postJson(t.url, t.keyA, children)).status).toBe(200);
    let rows = await spansOf(traceId);
    expect(rows.map((r) => r.tenant_id)).toEqual(['unknown', 'unknown']);

    const root = otlpJsonBody([
      {
        traceId,
        spanId: '00000000000000a1',
        name: 'POST /api/feed',
        kind: 2,
        attributes: { 'tenant.id': 'globex', 'session.id': 'root-session', 'user.id': 'u9', 'http.route': '/api/feed' },
      },
    ]);
    expect((await postJson(t.url, t.keyA, root)).status).toBe(200);
    rows = await spansOf(traceId);
    expect(rows.map((r) => [r.span_id, r.tenant_id, r.session_id, r.user_id, r.surface])).toEqual([
      ['00000000000000a1', 'globex', 'root-session', 'u9', '/api/feed'],
      ['00000000000000b1', 'globex', 'root-session', 'u9', '/api/feed'],
      // A nearer ancestor's (or its own) value wins over the root's.
      ['00000000000000c1', 'globex', 'own-session', 'u9', '/api/feed'],
    ]);
    const calls = await callsOf(traceId);
    expect(calls).toEqual([
      expect.objectContaining({
        span_id: '00000000000000b1',
        tenant_id: 'globex',
        session_id: 'root-session',
        user_id: 'u9',
      }),
    ]);
    const waiting = await t.db.pool.query('select count(*)::int as n from spans_awaiting_parent where trace_id = $1', [
      traceId,
    ]);
    expect(waiting.rows[0].n).toBe(0);
  });

  it('inherits from a parent stored in an earlier request', async () => {
    const traceId = randomHex(16);
    const parent = otlpJsonBody([
      {
        traceId,
        spanId: '00000000000000a2',
        name: 'job',
        attributes: { 'tenant.id': 'initech', 'session.id': 'job-1' },
      },
    ]);
    expect((await postJson(t.url, t.keyA, parent)).status).toBe(200);
    const child = otlpJsonBody([
      {
        traceId,
        spanId: '00000000000000b2',
        parentSpanId: '00000000000000a2',
        name: 'chat',
        attributes: chat('gpt-4o', 5, 5),
      },
    ]);
    expect((await postJson(t.url, t.keyA, child)).status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows.map((r) => r.tenant_id)).toEqual(['initech', 'initech']);
    expect(rows.map((r) => r.session_id)).toEqual(['job-1', 'job-1']);
  });
});

describe('model calls are counted once', () => {
  const vercelOuter = (traceId: string) => ({
    traceId,
    spanId: '00000000000000f1',
    name: 'ai.generateText',
    attributes: {
      'ai.operationId': 'ai.generateText',
      'ai.model.id': 'gpt-4o-mini',
      'ai.model.provider': 'openai.chat',
      'ai.usage.promptTokens': 300,
      'ai.usage.completionTokens': 40,
      'tenant.id': 'acme',
    },
  });
  const vercelInner = (traceId: string) => ({
    traceId,
    spanId: '00000000000000f2',
    parentSpanId: '00000000000000f1',
    name: 'ai.generateText.doGenerate',
    attributes: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o-mini',
      'ai.model.provider': 'openai.chat',
      'ai.usage.promptTokens': 300,
      'ai.usage.completionTokens': 40,
      'gen_ai.system': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 40,
    },
  });

  it('keeps the Vercel AI SDK inner doGenerate call and not its generateText wrapper', async () => {
    const traceId = randomHex(16);
    expect((await postJson(t.url, t.keyA, otlpJsonBody([vercelInner(traceId), vercelOuter(traceId)]))).status).toBe(
      200,
    );
    const calls = await callsOf(traceId);
    expect(calls).toEqual([
      expect.objectContaining({ span_id: '00000000000000f2', input_tokens: 300, output_tokens: 40, tenant_id: 'acme' }),
    ]);
    const totals = await t.db.pool.query(
      'select sum(input_tokens)::int as input, sum(cost_usd) as cost from spans where trace_id = $1',
      [traceId],
    );
    expect(totals.rows[0].input).toBe(300);
    expect(totals.rows[0].cost).toBeCloseTo(calls[0].estimated_cost, 12);
  });

  it('demotes a generic model span that turns out to wrap another, whichever arrives first', async () => {
    for (const order of ['outer-first', 'inner-first'] as const) {
      const traceId = randomHex(16);
      const outer = {
        traceId,
        spanId: '00000000000000e1',
        name: 'chat agent',
        attributes: chat('gpt-4o', 900, 90, { 'tenant.id': 'acme' }),
      };
      const inner = {
        traceId,
        spanId: '00000000000000e2',
        parentSpanId: '00000000000000e1',
        name: 'chat gpt-4o',
        attributes: chat('gpt-4o', 900, 90),
      };
      const [first, second] = order === 'outer-first' ? [outer, inner] : [inner, outer];
      expect((await postJson(t.url, t.keyA, otlpJsonBody([first]))).status).toBe(200);
      expect((await postJson(t.url, t.keyA, otlpJsonBody([second]))).status).toBe(200);
      const calls = await callsOf(traceId);
      expect(
        calls.map((c) => c.span_id),
        order,
      ).toEqual(['00000000000000e2']);
      const rows = await spansOf(traceId);
      expect(
        rows.map((r) => [r.span_id, r.category, r.input_tokens]),
        order,
      ).toEqual([
        ['00000000000000e1', 'other', null],
        ['00000000000000e2', 'model', 900],
      ]);
    }
  });
});

describe('exactly once', () => {
  it('stores a retried export once and still answers 200', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      { traceId, spanId: '0000000000000011', name: 'root', attributes: { 'tenant.id': 'acme' } },
      {
        traceId,
        spanId: '0000000000000012',
        parentSpanId: '0000000000000011',
        name: 'chat',
        attributes: chat('gpt-4o-mini', 10, 10),
      },
    ]);
    const responses = await Promise.all([postJson(t.url, t.keyA, body), postJson(t.url, t.keyA, body)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
    expect(await spansOf(traceId)).toHaveLength(2);
    expect(await callsOf(traceId)).toHaveLength(1);
  });

  it('stores a retried span once when the retry learns a tenant the first copy did not have', async () => {
    const traceId = randomHex(16);
    const startMs = Date.now();
    const child = {
      traceId,
      spanId: '0000000000000022',
      parentSpanId: '0000000000000021',
      startMs,
      name: 'chat',
      attributes: chat('gpt-4o-mini', 10, 10),
    };
    // The call first, without its parent: stored under no tenant, waiting for it.
    expect((await postJson(t.url, t.keyA, otlpJsonBody([child]))).status).toBe(200);
    // Then the parent, with the call's request retried beside it: the retry resolves to the
    // parent's tenant, and the stored copy is fixed up to it.
    const root = { traceId, spanId: '0000000000000021', startMs, name: 'root', attributes: { 'tenant.id': 'acme' } };
    const retried = await postJson(t.url, t.keyA, otlpJsonBody([root, child]));
    expect(retried.status, await retried.text()).toBe(200);
    expect((await spansOf(traceId)).map((s) => [s.span_id, s.tenant_id])).toEqual([
      ['0000000000000021', 'acme'],
      ['0000000000000022', 'acme'],
    ]);
    expect(await callsOf(traceId)).toHaveLength(1);
  });

  it('a key fixes the project: nothing in a span or resource can move it into another project', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody(
      [
        {
          traceId,
          spanId: '0000000000000021',
          name: 'sneaky',
          attributes: { project_id: t.projectB, 'vigil.project': 'app-b', 'tenant.id': 'acme' },
        },
      ],
      { 'service.name': 'x', project_id: t.projectB, 'vigil.project_id': t.projectB },
    );
    expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows.map((r) => r.project_id)).toEqual([t.projectA]);
  });

  it('keeps two projects apart even when they send the same trace and span ids', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      { traceId, spanId: '0000000000000031', name: 'same', attributes: { 'tenant.id': 't' } },
    ]);
    expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
    expect((await postJson(t.url, t.keyB, body)).status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows.map((r) => r.project_id).sort()).toEqual([t.projectA, t.projectB].sort());
  });
});

describe('pricing', () => {
  it('prices a known model from the catalog and leaves an unknown one null, never zero, and counts it', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      {
        traceId,
        spanId: '0000000000000041',
        name: 'known',
        attributes: chat('gpt-4o-mini', 1000, 100, { 'gen_ai.usage.cache_read.input_tokens': 600 }),
      },
      { traceId, spanId: '0000000000000042', name: 'unknown', attributes: chat('acme-secret-model-9000', 1000, 100) },
      {
        traceId,
        spanId: '0000000000000043',
        name: 'unknown but reported',
        attributes: chat('acme-other-model', 10, 10, { 'gen_ai.usage.cost': 0.5 }),
      },
    ]);
    expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows[0]).toMatchObject({ cost_source: 'catalog', cache_read_tokens: 600 });
    expect(rows[0].cost_usd).toBeGreaterThan(0);
    expect(rows[1]).toMatchObject({ cost_usd: null, cost_source: null });
    expect(rows[2]).toMatchObject({ cost_usd: 0.5, cost_source: 'span' });
    const unpriced = await t.db.pool.query(
      `select model, span_count from unpriced_models where project_id = $1 and model like 'acme-secret%'`,
      [t.projectA],
    );
    expect(unpriced.rows).toEqual([{ model: 'acme-secret-model-9000', span_count: 1 }]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_unpriced_model_spans_total [1-9]/);
  });

  it('keeps a known model call that reports no token counts unknown end to end: spans, ai_api_calls, rollups, coverage', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      {
        traceId,
        spanId: '0000000000000051',
        name: 'stream without usage',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-20250514',
        },
      },
    ]);
    expect((await postJson(t.url, t.keyA, body)).status).toBe(200);
    const [span] = await spansOf(traceId);
    expect(span).toMatchObject({ input_tokens: null, output_tokens: null, cost_usd: null, cost_source: null });
    const calls = await t.db.pool.query('select estimated_cost from ai_api_calls where trace_id = $1', [traceId]);
    expect(calls.rows).toEqual([{ estimated_cost: null }]);
    const unpriced = await t.db.pool.query(
      `select count(*)::int as n from unpriced_models where project_id = $1 and model = 'claude-sonnet-4-20250514'`,
      [t.projectA],
    );
    expect(unpriced.rows[0].n).toBe(0);
    // The rollups count the call, but not as priced: its cost adds nothing and is not called $0.
    const window = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
    const filters = { model: ['claude-sonnet-4-20250514'] };
    const [point] = await readMetrics(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      filters,
      quantiles: [],
    });
    expect(point).toMatchObject({ modelCalls: 1, pricedCalls: 0, costUsd: 0 });
    const coverage = await readCostCoverage(t.db.pool, SERVICE_CALLER, { projectId: t.projectA, window, filters });
    expect(coverage).toMatchObject({ modelCalls: 1, pricedCalls: 0, coverage: 0 });
    expect(coverage.unpricedModels).toMatchObject([{ model: 'claude-sonnet-4-20250514', reason: 'no_usage' }]);
  });

  it('uses a project price override over the catalog, and records which prices priced the day', async () => {
    // A project the collector has not seen yet: overrides are cached per project for a minute.
    const project = await createProject(t.db.pool, 'app-priced');
    const { key } = await createIngestKey(t.db.pool, 'app-priced');
    await t.db.pool.query(
      `insert into model_price_overrides (project_id, model, input_per_mtok, output_per_mtok) values ($1, 'my-finetune', 2, 8)`,
      [project.id],
    );
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      { traceId, spanId: '0000000000000051', name: 'ft', attributes: chat('my-finetune', 1_000_000, 500_000) },
    ]);
    expect((await postJson(t.url, key, body)).status).toBe(200);
    const rows = await spansOf(traceId);
    expect(rows[0]).toMatchObject({ cost_source: 'override' });
    expect(rows[0].cost_usd).toBeCloseTo(2 + 4, 9);
    const days = await t.db.pool.query(
      `select day = (now() at time zone 'utc')::date as today, catalog, source from pricing_days where project_id = $1`,
      [project.id],
    );
    expect(days.rows).toEqual([
      {
        today: true,
        catalog: expect.stringMatching(/^@pydantic\/genai-prices@[\d.]+ \+ 1 project prices$/),
        source: 'ingest',
      },
    ]);
  });
});

describe('content capture', () => {
  it('drops prompts and completions unless the project opts in', async () => {
    const traceId = randomHex(16);
    const attributes = {
      ...chat('gpt-4o-mini', 1, 1),
      'gen_ai.input.messages': '[{"role":"user","content":"my password is hunter2"}]',
      'gen_ai.prompt.0.content': 'hello',
    };
    expect(
      (await postJson(t.url, t.keyA, otlpJsonBody([{ traceId, spanId: '0000000000000061', name: 'c', attributes }])))
        .status,
    ).toBe(200);
    const { rows } = await t.db.pool.query('select attributes::text as a from spans where trace_id = $1', [traceId]);
    expect(rows[0].a).not.toContain('hunter2');
    expect(rows[0].a).not.toContain('hello');
    expect(rows[0].a).toContain('gen_ai.request.model');
  });
});
