// OTLP metrics end to end: the real OpenTelemetry metric exporters (HTTP protobuf, HTTP JSON,
// gRPC) send GenAI semconv metrics; cumulative points become deltas per series (also across an
// exporter restart, and a retried export counts once); histograms merge into the rollups' log
// histograms within the documented bound; Claude Code's metrics are priced per model; and a call
// reported as a span, an event and a metric is counted once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { compactRollups, createPriceCatalog, readMetrics, SERVICE_CALLER } from '@vigil/core';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { kv, postSignal } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
});
afterAll(() => t.close());

const catalog = createPriceCatalog();
const MINUTE = 60_000;
/** The GenAI semconv's advised duration buckets (seconds): each twice the one before. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

/** Ends every hold and folds every delta, as the compactor will once the minutes have closed. */
const compactLater = () => compactRollups(t.db.pool, { nowMs: Date.now() + 10 * MINUTE });

async function totals(tenant: string, groupBy: ('model' | 'service_name')[] = ['model']) {
  return readMetrics(t.db.pool, SERVICE_CALLER, {
    projectId: t.projectA,
    window: { from: new Date(Date.now() - 2 * 3_600_000), to: new Date(Date.now() + 3_600_000) },
    filters: { tenant_id: [tenant] },
    groupBy,
  });
}

function priceOf(model: string, input: number, output: number): number {
  const priced = catalog.price({
    provider: null,
    model,
    atMs: Date.now(),
    usage: {
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: null,
      reasoningTokens: 0,
    },
  });
  if (priced.costUsd === null) throw new Error(`no price for ${model}`);
  return priced.costUsd;
}

const grpcMetadata = () => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${t.keyA}`);
  return metadata;
};
const httpOptions = () => ({
  url: `${t.url}/v1/metrics`,
  headers: { authorization: `Bearer ${t.keyA}` },
  timeoutMillis: 30_000,
});

const EXPORTERS: [string, () => PushMetricExporter][] = [
  ['protobuf', () => new ProtoExporter(httpOptions())],
  ['JSON', () => new JsonExporter(httpOptions())],
  [
    'gRPC',
    () =>
      new GrpcExporter({ url: `http://${t.collector.grpcAddress}`, metadata: grpcMetadata(), timeoutMillis: 30_000 }),
  ],
];

/** An app instrumented with GenAI semconv metrics (no traces), exporting cumulative points. */
function genAiApp(tenant: string, exporter: PushMetricExporter, exponential = false) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'metrics-only-app',
      'service.version': 'v7',
      'tenant.id': tenant,
    }),
    readers: [reader],
    ...(exponential
      ? {
          views: [
            {
              instrumentName: 'gen_ai.client.operation.duration',
              aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
            },
          ],
        }
      : {}),
  });
  const meter = provider.getMeter('genai-instrumentation', '1.0.0');
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  });
  const sent = { calls: 0, errors: 0, input: 0, output: 0, durations: [] as number[] };
  const call = (i: number, failed = false) => {
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      ...(failed ? { 'error.type': 'timeout' } : {}),
    };
    const seconds = 0.05 + (i % 40) * 0.05;
    duration.record(seconds, attributes);
    sent.durations.push(seconds * 1000);
    sent.calls++;
    if (failed) {
      sent.errors++;
      return;
    }
    tokens.record(100 + i, { ...attributes, 'gen_ai.token.type': 'input' });
    tokens.record(20 + (i % 7), { ...attributes, 'gen_ai.token.type': 'output' });
    sent.input += 100 + i;
    sent.output += 20 + (i % 7);
  };
  return { provider, reader, call, sent };
}

for (const [name, createExporter] of EXPORTERS) {
  describe(`the real ${name} metric exporter`, () => {
    it('counts cumulative GenAI metrics once as deltas, priced, and across an exporter restart', async () => {
      const tenant = `metrics-${name.toLowerCase()}`;
      const first = genAiApp(tenant, createExporter());
      for (let i = 0; i < 30; i++) first.call(i, i % 10 === 9);
      await first.reader.forceFlush();
      for (let i = 30; i < 50; i++) first.call(i);
      // The second export repeats the first 30 calls in its cumulative values.
      await first.reader.forceFlush();
      await first.provider.shutdown();
      // The app restarts: its counts start again from zero under a new start time.
      const second = genAiApp(tenant, createExporter());
      for (let i = 50; i < 70; i++) second.call(i);
      await second.reader.forceFlush();
      await second.provider.shutdown();

      // Held until their minute has closed; nothing shows before.
      expect(await totals(tenant)).toEqual([]);
      await compactLater();
      const [row, ...others] = await totals(tenant);
      expect(others).toEqual([]);
      const sent = { calls: first.sent.calls + second.sent.calls, errors: first.sent.errors + second.sent.errors };
      const input = first.sent.input + second.sent.input;
      const output = first.sent.output + second.sent.output;
      expect(row).toMatchObject({
        group: { model: 'gpt-4o-mini' },
        spans: sent.calls,
        modelCalls: sent.calls,
        errors: sent.errors,
        tokens: { input, output },
      });
      expect(row!.costUsd).toBeCloseTo(priceOf('gpt-4o-mini', input, output), 9);
      const durations = [...first.sent.durations, ...second.sent.durations];
      expect(row!.latencyMs.mean).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 6);
    });
  });
}

/** The true q-quantile of values (nearest rank). */
function trueQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

describe('histograms merged into the rollups', () => {
  it('keep quantiles within the bound of their buckets: explicit doubling buckets and exponential', async () => {
    for (const exponential of [false, true]) {
      const tenant = `quantiles-${exponential ? 'exponential' : 'explicit'}`;
      const app = genAiApp(tenant, new ProtoExporter(httpOptions()), exponential);
      for (let i = 0; i < 400; i++) app.call(i * 7);
      await app.reader.forceFlush();
      await app.provider.shutdown();
      await compactLater();
      const [row] = await totals(tenant);
      for (const q of [0.5, 0.95, 0.99]) {
        const truth = trueQuantile(app.sent.durations, q);
        const read = row!.latencyMs.quantiles[`p${q * 100}`]!;
        // Explicit buckets: half a doubling on a log scale (×√2); exponential at the SDK's scale
        // for this range (20 down to what fits 160 buckets, 4 here): 2^(2^-4 / 2) − 1 ≈ 2.2%; plus 0.8%
        // for the log histogram, and a bucket's width for nearest-rank against interpolation.
        const bound = exponential ? 0.03 + 0.045 : Math.SQRT2 - 1 + 0.01;
        expect(Math.abs(read - truth) / truth, `p${q * 100}: read ${read}, true ${truth}`).toBeLessThanOrEqual(bound);
      }
    }
  });
});

const post = (path: string, body: unknown) => postSignal(t.url, t.keyA, path, body);
const attr = kv;
const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);

interface AgentCall {
  session: string;
  user: string;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  atMs: number;
}

/**
 * Claude Code's metrics for some calls, as its SDK exports them: one delta point per series (session,
 * user, model and token type) summing that series' calls, for tokens and for cost.
 */
function claudeMetrics(org: string, calls: AgentCall[], fromMs: number, toMs: number) {
  const points = (value: (c: AgentCall) => number, extra: Record<string, string>) => {
    const series = new Map<string, { call: AgentCall; value: number }>();
    for (const c of calls) {
      const key = `${c.session}\u0001${c.user}\u0001${c.model}`;
      const entry = series.get(key) ?? { call: c, value: 0 };
      entry.value += value(c);
      series.set(key, entry);
    }
    return [...series.values()].map(({ call: c, value: total }) => ({
      attributes: [
        attr('session.id', c.session),
        attr('user.account_uuid', `acct-${c.user}`),
        attr('user.email', c.user),
        attr('organization.id', org),
        attr('model', c.model),
        ...Object.entries(extra).map(([k, v]) => attr(k, v)),
      ],
      startTimeUnixNano: ns(fromMs),
      timeUnixNano: ns(toMs),
      asDouble: total,
    }));
  };
  const sum = (name: string, unit: string, dataPoints: unknown[]) => ({
    name,
    unit,
    sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints },
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('service.name', 'claude-code'), attr('service.version', '2.1.3')] },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code', version: '2.1.3' },
            metrics: [
              sum('claude_code.token.usage', 'tokens', [
                ...points((c) => c.input, { type: 'input' }),
                ...points((c) => c.output, { type: 'output' }),
                ...points((c) => c.cacheRead, { type: 'cacheRead' }),
              ]),
              sum(
                'claude_code.cost.usage',
                'USD',
                points(() => 0.5, {}),
              ),
            ],
          },
        ],
      },
    ],
  };
}

function claudeEvents(org: string, calls: AgentCall[]) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [attr('service.name', 'claude-code'), attr('service.version', '2.1.3')] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: calls.map((c, i) => ({
              timeUnixNano: ns(c.atMs),
              body: { stringValue: 'claude_code.api_request' },
              attributes: [
                attr('event.name', 'api_request'),
                attr('event.sequence', i),
                attr('session.id', c.session),
                attr('user.email', c.user),
                attr('organization.id', org),
                attr('model', c.model),
                attr('input_tokens', String(c.input)),
                attr('output_tokens', String(c.output)),
                attr('cache_read_tokens', String(c.cacheRead)),
                attr('cache_creation_tokens', '0'),
                attr('cost_usd', '0.5'),
                attr('duration_ms', '1500'),
              ],
            })),
          },
        ],
      },
    ],
  };
}

function agentCalls(org: string, n: number, users: string[]): AgentCall[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    session: `${org}-s-${users[i % users.length]}`,
    user: users[i % users.length]!,
    model: i % 2 ? 'claude-sonnet-4-5-20250929' : 'claude-haiku-4-5-20251001',
    input: 40 + i,
    output: 200 + i,
    cacheRead: 1000,
    atMs: now - 30_000 + i * 100,
  }));
}

function agentPrice(calls: AgentCall[], model: string): number {
  let cost = 0;
  for (const c of calls.filter((call) => call.model === model)) {
    const priced = catalog.price({
      provider: 'anthropic',
      model,
      atMs: c.atMs,
      usage: {
        inputTokens: c.input + c.cacheRead,
        outputTokens: c.output,
        cacheReadTokens: c.cacheRead,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: null,
        reasoningTokens: null,
      },
    });
    cost += priced.costUsd!;
  }
  return cost;
}

describe('a Claude Code fleet', () => {
  it('is priced per model from its metrics alone, and counted once when its events are sent too', async () => {
    const users = ['ana@example.com', 'bo@example.com'];
    const metricsOnly = agentCalls('org-metrics-only', 20, users);
    const both = agentCalls('org-both', 20, users);
    const now = Date.now();
    // Metrics first for the org that sends both: the events arrive after, and still win.
    expect((await post('/v1/metrics', claudeMetrics('org-both', both, now - 60_000, now))).status).toBe(200);
    expect((await post('/v1/logs', claudeEvents('org-both', both))).status).toBe(200);
    expect((await post('/v1/metrics', claudeMetrics('org-metrics-only', metricsOnly, now - 60_000, now))).status).toBe(
      200,
    );
    // A retried export of the same delta points counts once.
    expect((await post('/v1/metrics', claudeMetrics('org-metrics-only', metricsOnly, now - 60_000, now))).status).toBe(
      200,
    );
    await compactLater();

    for (const [org, calls, fromEvents] of [
      ['org-both', both, true],
      ['org-metrics-only', metricsOnly, false],
    ] as const) {
      const rows = await totals(org);
      for (const model of ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929']) {
        const ofModel = calls.filter((c) => c.model === model);
        const row = rows.find((r) => r.group.model === model)!;
        expect(row, `${org} ${model}`).toBeDefined();
        expect(row.tokens.input).toBe(ofModel.reduce((s, c) => s + c.input + c.cacheRead, 0));
        expect(row.tokens.output).toBe(ofModel.reduce((s, c) => s + c.output, 0));
        expect(row.tokens.cacheRead).toBe(ofModel.reduce((s, c) => s + c.cacheRead, 0));
        // Events are calls; metrics carry no call count.
        expect(row.modelCalls).toBe(fromEvents ? ofModel.length : 0);
        expect(row.costUsd).toBeCloseTo(agentPrice(calls, model), 9);
      }
      expect(rows).toHaveLength(2);
    }
  });

  it('counts one call sent as a span, as an event and as a metric once', async () => {
    const org = 'org-three-ways';
    const call: AgentCall = {
      session: 'three-ways',
      user: 'cy@example.com',
      model: 'claude-haiku-4-5-20251001',
      input: 10,
      output: 30,
      cacheRead: 0,
      atMs: Date.now() - 10_000,
    };
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const span = {
      traceId,
      spanId,
      name: 'claude_code.llm_request',
      kind: 3,
      startTimeUnixNano: ns(call.atMs - 1500),
      endTimeUnixNano: ns(call.atMs),
      attributes: [
        attr('organization.id', org),
        attr('session.id', call.session),
        attr('gen_ai.operation.name', 'chat'),
        attr('gen_ai.request.model', call.model),
        attr('gen_ai.usage.input_tokens', call.input),
        attr('gen_ai.usage.output_tokens', call.output),
      ],
    };
    const resource = { attributes: [attr('service.name', 'claude-code')] };
    expect((await post('/v1/traces', { resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] })).status).toBe(
      200,
    );
    const events = claudeEvents(org, [call]);
    (events.resourceLogs[0]!.scopeLogs[0]!.logRecords[0] as Record<string, unknown>).traceId = traceId;
    (events.resourceLogs[0]!.scopeLogs[0]!.logRecords[0] as Record<string, unknown>).spanId = spanId;
    expect((await post('/v1/logs', events)).status).toBe(200);
    expect((await post('/v1/metrics', claudeMetrics(org, [call], call.atMs - 30_000, call.atMs + 5000))).status).toBe(
      200,
    );
    await compactLater();
    const [row, ...others] = await totals(org);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ modelCalls: 1, tokens: { input: call.input, output: call.output } });
    const calls = await t.db.pool.query(
      `select count(*)::int as n from ai_api_calls where project_id = $1 and tenant_id = $2`,
      [t.projectA, org],
    );
    expect(calls.rows[0].n).toBe(1);
  });

  it('answers partial success for points it cannot read and counts them in /metrics', async () => {
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'gen_ai.client.operation.duration',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      { timeUnixNano: ns(Date.now()), count: '3', bucketCounts: ['1', '2'], explicitBounds: [1, 2] },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    // A sum that is not a finite number is refused too: it would poison every total it joined.
    const histogram = body.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.histogram as { dataPoints: unknown[] };
    histogram.dataPoints.push({
      timeUnixNano: ns(Date.now()),
      count: '1',
      sum: 'NaN',
      bucketCounts: ['1'],
      explicitBounds: [],
    });
    const { status, json } = await post('/v1/metrics', body);
    expect(status).toBe(200);
    expect(json.partialSuccess).toMatchObject({ rejectedDataPoints: '2' });
    expect(String((json.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(
      /sum must be a finite number, got NaN/,
    );
    expect(String((json.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(
      /2 bucket counts for 2 explicit bounds/,
    );
    // A count no rollup column can hold is bad data, not an outage: 400, so the exporter does not retry it forever.
    const huge = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'gen_ai.client.operation.duration',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        timeUnixNano: ns(Date.now()),
                        count: '18000000000000000000',
                        sum: 1,
                        bucketCounts: ['18000000000000000000'],
                        explicitBounds: [],
                        attributes: [attr('gen_ai.request.model', 'gpt-4o-mini')],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const refused = await post('/v1/metrics', huge);
    expect(refused.status).toBe(400);
    expect(String(refused.json.message)).toMatch(/metric points refused by the database/);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_metric_points_rejected_total\{reason="invalid_point"\} 2/);
    expect(metrics).toMatch(/vigil_metric_points_read_total\{outcome="stale"\} [1-9]/);
    expect(metrics).toMatch(/vigil_http_requests_total\{signal="metrics",status="200"\} [1-9]/);
  });
});
