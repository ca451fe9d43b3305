// OTLP logs end to end: the real OpenTelemetry log exporters (HTTP protobuf, HTTP JSON, gRPC plain
// and gzip) send a Claude Code-shaped stream of events; its api_request and api_error events
// become model calls, exactly once, priced, with the developer and the model; prompts and other
// events are acknowledged and not stored. One call sent both as a span and as an event counts once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { compactRollups, createPriceCatalog, readMetrics, readUserModelCost, SERVICE_CALLER } from '@vigil/core';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { kv, postSignal } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
});
afterAll(() => t.close());

const httpOptions = () => ({
  url: `${t.url}/v1/logs`,
  headers: { authorization: `Bearer ${t.keyA}` },
  timeoutMillis: 30_000,
});
const grpcOptions = (gzip: boolean) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${t.keyA}`);
  return {
    url: `http://${t.collector.grpcAddress}`,
    metadata,
    timeoutMillis: 30_000,
    ...(gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
  };
};

const EXPORTERS: [string, () => LogRecordExporter][] = [
  ['protobuf', () => new ProtoExporter(httpOptions())],
  ['JSON', () => new JsonExporter(httpOptions())],
  ['gRPC', () => new GrpcExporter(grpcOptions(false))],
  ['gRPC gzip', () => new GrpcExporter(grpcOptions(true))],
];

const USERS = ['ana@example.com', 'bo@example.com', 'cy@example.com'];
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'];
const catalog = createPriceCatalog();

interface Expected {
  calls: number;
  errors: number;
  input: number;
  output: number;
  cost: number;
}

/** Emits a Claude Code session stream per user; returns what each (user, model) should total. */
function emitAgentStream(provider: LoggerProvider, organization: string, calls: number): Map<string, Expected> {
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.3');
  const expected = new Map<string, Expected>();
  const start = Date.now() - 60_000;
  for (let i = 0; i < calls; i++) {
    const user = USERS[i % USERS.length]!;
    const model = MODELS[i % MODELS.length]!;
    const common = {
      'session.id': `${organization}-session-${user}`,
      'user.email': user,
      'user.account_uuid': `acct-${user}`,
      'organization.id': organization,
      'prompt.id': `${organization}-prompt-${Math.floor(i / 4)}`,
      'event.sequence': i,
      'terminal.type': 'vscode',
    };
    const at = start + i * 10;
    logger.emit({
      timestamp: at - 1,
      body: 'claude_code.user_prompt',
      attributes: { ...common, 'event.name': 'user_prompt', prompt_length: 24, prompt: 'please refactor the vault' },
    });
    const key = `${user}\u0001${model}`;
    const totals = expected.get(key) ?? { calls: 0, errors: 0, input: 0, output: 0, cost: 0 };
    if (i % 10 === 9) {
      logger.emit({
        timestamp: at,
        body: 'claude_code.api_error',
        attributes: {
          ...common,
          'event.name': 'api_error',
          model,
          error: 'Overloaded',
          status_code: '529',
          duration_ms: '900',
        },
      });
      totals.calls++;
      totals.errors++;
    } else {
      const usage = { input: 20 + i, output: 300 + i, cacheRead: 1000 * (i % 3), cacheWrite: 50 };
      logger.emit({
        timestamp: at,
        body: 'claude_code.api_request',
        attributes: {
          ...common,
          'event.name': 'api_request',
          model,
          input_tokens: String(usage.input),
          output_tokens: String(usage.output),
          cache_read_tokens: String(usage.cacheRead),
          cache_creation_tokens: String(usage.cacheWrite),
          cost_usd: '0.5',
          duration_ms: String(1000 + i),
        },
      });
      const inputTokens = usage.input + usage.cacheRead + usage.cacheWrite;
      const priced = catalog.price({
        provider: 'anthropic',
        model,
        atMs: at - 1000 - i,
        usage: {
          inputTokens,
          outputTokens: usage.output,
          cacheReadTokens: usage.cacheRead,
          cacheWriteTokens: usage.cacheWrite,
          cacheWrite1hTokens: null,
          reasoningTokens: null,
        },
      });
      if (priced.costUsd === null) throw new Error(`the catalog has no price for ${model}`);
      totals.calls++;
      totals.input += inputTokens;
      totals.output += usage.output;
      totals.cost += priced.costUsd;
    }
    expected.set(key, totals);
    logger.emit({
      timestamp: at + 1,
      body: 'claude_code.tool_result',
      attributes: { ...common, 'event.name': 'tool_result', tool_name: 'Edit', success: 'true' },
    });
  }
  return expected;
}

for (const [name, createExporter] of EXPORTERS) {
  describe(`the real ${name} log exporter`, () => {
    it('turns Claude Code api events into model calls, once each, priced per developer and model', async () => {
      const organization = `org-${name.toLowerCase().replace(' ', '-')}`;
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.3' }),
        processors: [
          new BatchLogRecordProcessor({
            exporter: createExporter(),
            maxExportBatchSize: 50,
            scheduledDelayMillis: 10,
            maxQueueSize: 10_000,
          }),
        ],
      });
      const expected = emitAgentStream(provider, organization, 120);
      await provider.forceFlush();
      await provider.shutdown();

      const { rows } = await t.db.pool.query(
        `select user_id, model, count(*)::int as calls, count(*) filter (where status = 'error')::int as errors,
                coalesce(sum(input_tokens), 0)::int as input, coalesce(sum(output_tokens), 0)::int as output,
                coalesce(sum(estimated_cost), 0)::float8 as cost, count(distinct (trace_id, span_id))::int as distinct_calls
           from ai_api_calls where project_id = $1 and tenant_id = $2 group by 1, 2 order by 1, 2`,
        [t.projectA, organization],
      );
      const wanted = [...expected]
        .map(([key, totals]) => {
          const [user_id, model] = key.split('\u0001');
          return { user_id, model, ...totals };
        })
        .sort((a, b) => `${a.user_id}${a.model}`.localeCompare(`${b.user_id}${b.model}`));
      expect(
        rows.map(({ cost, distinct_calls, ...rest }) => ({ ...rest, distinct: distinct_calls === rest.calls })),
      ).toEqual(wanted.map(({ cost, ...rest }) => ({ ...rest, distinct: true })));
      for (const [i, row] of rows.entries()) expect(row.cost).toBeCloseTo(wanted[i]!.cost, 9);
      // The Cost page's per-developer table (the query API's /users/model-cost) says the same.
      const perUser = await readUserModelCost(t.db.pool, SERVICE_CALLER, {
        projectId: t.projectA,
        window: { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) },
        filters: { service_name: ['claude-code'], tenant_id: [organization] },
      });
      expect(
        perUser
          .map((r) => ({ user_id: r.userId, model: r.model, calls: r.calls, errors: r.errors, cost: r.costUsd }))
          .sort((a, b) => `${a.user_id}${a.model}`.localeCompare(`${b.user_id}${b.model}`)),
      ).toEqual(
        wanted.map((w, i) => ({
          user_id: w.user_id,
          model: w.model,
          calls: w.calls,
          errors: w.errors,
          cost: rows[i]!.cost,
        })),
      );

      // Prompts and tool results were acknowledged, not stored; nothing of the prompt text is kept.
      const content = await t.db.pool.query(
        `select count(*)::int as n from spans where project_id = $1 and (name <> all($2) or attributes::text like '%vault%')`,
        [t.projectA, ['claude_code.api_request', 'claude_code.api_error']],
      );
      expect(content.rows[0].n).toBe(0);
      const sessions = await t.db.pool.query(
        `select user_id, sum(model_calls)::int as calls from sessions where project_id = $1 and tenant_id = $2 group by 1 order by 1`,
        [t.projectA, organization],
      );
      expect(sessions.rows).toEqual(USERS.map((user_id) => ({ user_id, calls: 40 })));
    });
  });
}

describe('Codex CLI events', () => {
  it('become model calls of unknown duration, priced per developer and model, and stay out of latency', async () => {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'codex_cli_rs', 'service.version': '0.77.0' }),
      processors: [
        new BatchLogRecordProcessor({ exporter: new GrpcExporter(grpcOptions(true)), maxQueueSize: 10_000 }),
      ],
    });
    const logger = provider.getLogger('codex_otel');
    const start = Date.now() - 120_000;
    const expected = new Map<string, { calls: number; errors: number; cost: number }>();
    for (let i = 0; i < 60; i++) {
      const user = USERS[i % USERS.length]!;
      const model = i % 2 ? 'gpt-5-codex' : 'gpt-5';
      // Codex's log_event! fields, as its tracing bridge exports them (Display values as strings).
      const common = {
        'event.timestamp': new Date(start + i * 100).toISOString(),
        'conversation.id': `codex-conv-${user}`,
        'app.version': '0.77.0',
        originator: 'codex_cli_rs',
        'user.account_id': `acct-${user}`,
        'user.email': user,
        'terminal.type': 'iTerm.app',
        model,
        slug: model,
      };
      const at = start + i * 100;
      logger.emit({
        timestamp: at - 50,
        attributes: { ...common, 'event.name': 'codex.user_prompt', prompt: 'fix the vault' },
      });
      for (const kind of ['response.created', 'response.output_text.delta'])
        logger.emit({
          timestamp: at - 10,
          attributes: { ...common, 'event.name': 'codex.sse_event', 'event.kind': kind, duration_ms: '4' },
        });
      const totals = expected.get(`${user}\u0001${model}`) ?? { calls: 0, errors: 0, cost: 0 };
      totals.calls++;
      if (i % 10 === 9) {
        logger.emit({
          timestamp: at,
          attributes: {
            ...common,
            'event.name': 'codex.sse_event',
            'event.kind': 'response.failed',
            'error.message': 'overloaded',
          },
        });
        totals.errors++;
      } else {
        const usage = { input: 4000 + i * 10, cached: 3000, output: 300 + i, reasoning: 100 };
        logger.emit({
          timestamp: at,
          attributes: {
            ...common,
            'event.name': 'codex.sse_event',
            'event.kind': 'response.completed',
            input_token_count: String(usage.input),
            output_token_count: String(usage.output),
            cached_token_count: usage.cached,
            reasoning_token_count: usage.reasoning,
            tool_token_count: String(usage.input + usage.output),
          },
        });
        const priced = catalog.price({
          provider: 'openai',
          model,
          atMs: at,
          usage: {
            inputTokens: usage.input,
            outputTokens: usage.output,
            cacheReadTokens: usage.cached,
            cacheWriteTokens: null,
            cacheWrite1hTokens: null,
            reasoningTokens: usage.reasoning,
          },
        });
        if (priced.costUsd === null) throw new Error(`the catalog has no price for ${model}`);
        totals.cost += priced.costUsd;
      }
      expected.set(`${user}\u0001${model}`, totals);
    }
    await provider.forceFlush();
    await provider.shutdown();

    const window = { from: new Date(start - 60_000), to: new Date(Date.now() + 60_000) };
    const perUser = await readUserModelCost(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      filters: { service_name: ['codex_cli_rs'] },
    });
    expect(
      perUser
        .map((r) => ({ key: `${r.userId}\u0001${r.model}`, calls: r.calls, errors: r.errors, cost: r.costUsd }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    ).toEqual(
      [...expected]
        .map(([key, e]) => ({ key, calls: e.calls, errors: e.errors, cost: expect.closeTo(e.cost, 9) }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
    const { rows } = await t.db.pool.query(
      `select count(*)::int as calls, count(latency_ms)::int as timed from ai_api_calls a
         join spans s on s.project_id = a.project_id and s.trace_id = a.trace_id and s.span_id = vigil_span_id(a.span_id)
        where a.project_id = $1 and s.service_name = 'codex_cli_rs' and s.duration_ms is null`,
      [t.projectA],
    );
    expect(rows[0]).toEqual({ calls: 60, timed: 0 });
    // In the rollups: calls, errors and cost, and no latency rather than a latency of zero.
    await compactRollups(t.db.pool);
    const [point] = await readMetrics(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      filters: { service_name: ['codex_cli_rs'] },
      quantiles: [0.95],
    });
    expect(point).toMatchObject({ spans: 60, modelCalls: 60, errors: 6, latencyMs: { count: 0, mean: null } });
    expect(point!.latencyMs.quantiles.p95).toBeNull();
  });
});

const postJson = (path: string, body: unknown) => postSignal(t.url, t.keyA, path, body);
const attr = kv;

describe('a call reported twice', () => {
  it('counts a retried logs request once', async () => {
    const record = {
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      body: { stringValue: 'claude_code.api_request' },
      attributes: [
        attr('event.name', 'api_request'),
        attr('session.id', 'retry-session'),
        attr('organization.id', 'org-retry'),
        attr('event.sequence', 1),
        attr('model', 'claude-haiku-4-5-20251001'),
        attr('input_tokens', 10),
        attr('output_tokens', 20),
        attr('duration_ms', 300),
      ],
    };
    const body = {
      resourceLogs: [
        { resource: { attributes: [attr('service.name', 'claude-code')] }, scopeLogs: [{ logRecords: [record] }] },
      ],
    };
    expect((await postJson('/v1/logs', body)).status).toBe(200);
    expect((await postJson('/v1/logs', body)).status).toBe(200);
    const { rows } = await t.db.pool.query(
      `select count(*)::int as n from ai_api_calls where project_id = $1 and tenant_id = 'org-retry'`,
      [t.projectA],
    );
    expect(rows[0].n).toBe(1);
  });

  for (const eventFirst of [true, false])
    it(`counts a call sent as a model span and as an event inside that span once (${eventFirst ? 'event' : 'span'} first)`, async () => {
      const tenant = `tenant-twice-${eventFirst}`;
      const traceId = randomHex(16);
      const spanId = randomHex(8);
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const span = {
        traceId,
        spanId,
        name: 'claude_code.llm_request',
        kind: 3,
        startTimeUnixNano: String(nowNs - 2_000_000_000n),
        endTimeUnixNano: String(nowNs),
        attributes: [
          attr('tenant.id', tenant),
          attr('gen_ai.operation.name', 'chat'),
          attr('gen_ai.request.model', 'claude-haiku-4-5-20251001'),
          attr('gen_ai.usage.input_tokens', 100),
          attr('gen_ai.usage.output_tokens', 50),
        ],
      };
      const event = {
        timeUnixNano: String(nowNs),
        traceId,
        spanId,
        body: { stringValue: 'claude_code.api_request' },
        attributes: [
          attr('event.name', 'api_request'),
          attr('tenant.id', tenant),
          attr('model', 'claude-haiku-4-5-20251001'),
          attr('input_tokens', 100),
          attr('output_tokens', 50),
          attr('duration_ms', 2000),
        ],
      };
      const resource = { attributes: [attr('service.name', 'claude-code')] };
      // The event first, then its span: the span arrives as the parent of a model call already stored.
      expect(
        (await postJson('/v1/logs', { resourceLogs: [{ resource, scopeLogs: [{ logRecords: [event] }] }] })).status,
      ).toBe(200);
      expect(
        (await postJson('/v1/traces', { resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] })).status,
      ).toBe(200);
      const calls = await t.db.pool.query(
        `select count(*)::int as n, sum(input_tokens)::int as input from ai_api_calls where project_id = $1 and tenant_id = $2`,
        [t.projectA, tenant],
      );
      expect(calls.rows[0]).toEqual({ n: 1, input: 100 });
      const spans = await t.db.pool.query(
        `select span_id = vigil_span_id($2) as is_span, category from spans where project_id = $1 and trace_id = $3 order by 1`,
        [t.projectA, spanId, traceId],
      );
      expect(spans.rows).toEqual([
        { is_span: false, category: 'model' },
        { is_span: true, category: 'other' },
      ]);
    });

  it('answers partial success in the logs vocabulary for a record with a malformed id', async () => {
    const body = {
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: [{ traceId: 'xyz', body: { stringValue: 'x' } }, { body: { stringValue: 'y' } }] }],
        },
      ],
    };
    const { status, json } = await postJson('/v1/logs', body);
    expect(status).toBe(200);
    expect(json.partialSuccess).toMatchObject({ rejectedLogRecords: '1' });
    expect(String((json.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(
      /1 log records rejected.*traceId/,
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_log_records_rejected_total\{reason="invalid_record"\} [1-9]/);
    expect(metrics).toMatch(/vigil_log_records_not_stored_total [1-9]/);
    expect(metrics).toMatch(/vigil_log_records_model_calls_total [1-9]/);
  });
});

describe('evaluation results sent as log events', () => {
  it('attach to their span once it is stored, once however often they are sent, and are kept if it never comes', async () => {
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const evaluation = (span: string, score: number) => ({
      timeUnixNano: String(nowNs),
      traceId,
      spanId: span,
      eventName: 'gen_ai.evaluation.result',
      attributes: [
        attr('gen_ai.evaluation.name', 'faithfulness'),
        kv('gen_ai.evaluation.explanation', 'the answer cites the vault document'),
        { key: 'gen_ai.evaluation.score.value', value: { doubleValue: score } },
        attr('tenant.id', 'tenant-evaluated'),
      ],
    });
    const resource = { attributes: [attr('service.name', 'answer-api'), attr('service.version', 'v9')] };
    const orphan = randomHex(8);
    const logs = {
      resourceLogs: [{ resource, scopeLogs: [{ logRecords: [evaluation(spanId, 0.8), evaluation(orphan, 0.4)] }] }],
    };
    // Sent before the span, and retried.
    expect((await postJson('/v1/logs', logs)).status).toBe(200);
    expect((await postJson('/v1/logs', logs)).status).toBe(200);
    await compactRollups(t.db.pool);
    const rows = () =>
      t.db.pool.query(
        `select span_id = vigil_span_id($2) as on_span, tenant_id, deployment, model, name, score from evaluations
          where project_id = $1 and trace_id = $3 order by score desc`,
        [t.projectA, spanId, traceId],
      );
    expect((await rows()).rows).toEqual([]);
    const span = {
      traceId,
      spanId,
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: String(nowNs - 1_000_000_000n),
      endTimeUnixNano: String(nowNs),
      attributes: [
        attr('tenant.id', 'tenant-evaluated'),
        attr('gen_ai.operation.name', 'chat'),
        attr('gen_ai.request.model', 'gpt-4o-mini'),
        attr('gen_ai.usage.input_tokens', 10),
      ],
    };
    expect(
      (await postJson('/v1/traces', { resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] })).status,
    ).toBe(200);
    await compactRollups(t.db.pool);
    const onSpan = {
      on_span: true,
      tenant_id: 'tenant-evaluated',
      deployment: 'v9',
      model: 'gpt-4o-mini',
      name: 'faithfulness',
      score: 0.8,
    };
    expect((await rows()).rows).toEqual([onSpan]);
    // The other span never comes: after the hold, its result is kept with what its record said.
    await compactRollups(t.db.pool, { nowMs: Date.now() + 2 * 3_600_000 });
    expect((await rows()).rows).toEqual([
      onSpan,
      {
        on_span: false,
        tenant_id: 'tenant-evaluated',
        deployment: null,
        model: null,
        name: 'faithfulness',
        score: 0.4,
      },
    ]);
    const held = await t.db.pool.query(
      `select count(*)::int as n from evaluations_awaiting_span where project_id = $1`,
      [t.projectA],
    );
    expect(held.rows[0].n).toBe(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_log_records_evaluations_total 4/);
  });
});
