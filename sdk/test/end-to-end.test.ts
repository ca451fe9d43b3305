// App → SDK → collector → Postgres. The instrumented app (test/app) runs as its own process against
// the fake OpenAI and Anthropic servers and a real collector on a throw-away database; then the
// stored spans are checked: tenant, session, user, model, deployment, tokens, TTFT and cost.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createIngestKey, createProject } from '@vigil/core';
import { type RunningCollector, startCollector } from '@vigil/collector';
import { type FakeProviders, startFakeProviders } from '@vigil/fake-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_TEST_SETTINGS, createTestDatabase, type TestDatabase } from '@vigil/testing';
import { type FakePostgrest, startFakePostgrest } from './support/fake-postgrest.ts';
import { type RedisServer, startRedisServer } from './support/redis-server.ts';

const APP = path.join(import.meta.dirname, 'app/instrumented-app.ts');

const BEHAVIOUR = {
  default: { ttftMs: 20, interChunkMs: 1, outputTokens: 10 },
  models: {
    'gpt-4o-mini': { inputTokens: 200, cacheReadTokens: 64, outputTokens: 30 },
    'gpt-4o-stream': { ttftMs: 200, interChunkMs: 5, outputTokens: 12, inputTokens: 50 },
    'claude-sonnet-4-5': { inputTokens: 3000, cacheReadTokens: 2000, cacheWriteTokens: 500, outputTokens: 40 },
    'claude-haiku-4-5': { ttftMs: 250, interChunkMs: 2, outputTokens: 15, inputTokens: 100 },
    'gpt-flaky': { errorRate: 1 },
    'gpt-4o-cancel': { outputTokens: 50, interChunkMs: 20 },
  },
};

let db: TestDatabase;
let collector: RunningCollector;
let providers: FakeProviders;
let postgrest: FakePostgrest;
let redis: RedisServer;
let key: string;
let projectId: string;
let captureKey: string;
let captureProjectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'e2e')).id;
  key = (await createIngestKey(db.pool, 'e2e')).key;
  captureProjectId = (await createProject(db.pool, 'e2e-capture')).id;
  await db.pool.query(`update projects set capture_content = true where id = $1`, [captureProjectId]);
  captureKey = (await createIngestKey(db.pool, 'e2e-capture')).key;
  collector = await startCollector(
    { ...COLLECTOR_TEST_SETTINGS, VIGIL_QUEUE_MAX_SPANS: 100_000, VIGIL_BATCH_MAX_SPANS: 5_000 },
    db.pool,
  );
  providers = await startFakeProviders(BEHAVIOUR);
  postgrest = await startFakePostgrest({
    documents: [
      { id: 1, body: 'refunds take 5 days' },
      { id: 2, body: 'plans' },
    ],
    ai_api_calls: [],
  });
  redis = await startRedisServer();
});

afterAll(async () => {
  await providers?.close();
  await postgrest?.close();
  await redis?.close();
  await collector?.close();
  await db?.drop();
});

async function runApp(
  endpoint: string,
  args: string[] = [],
  apiKey = key,
): Promise<{ results: Record<string, unknown>; instrumented: Record<string, boolean> }> {
  const { stdout } = await promisify(execFile)(process.execPath, [APP, ...args], {
    env: {
      ...process.env,
      VIGIL_ENDPOINT: endpoint,
      VIGIL_API_KEY: apiKey,
      OPENAI_BASE_URL: providers.openaiBaseUrl,
      ANTHROPIC_BASE_URL: providers.anthropicBaseUrl,
      DATABASE_URL: db.url,
      SUPABASE_URL: postgrest.url,
      REDIS_URL: redis.url,
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

interface StoredSpan {
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  category: string;
  status: string;
  tenant_id: string;
  session_id: string | null;
  user_id: string | null;
  deployment: string | null;
  environment: string | null;
  model: string | null;
  provider: string | null;
  ttft_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cost_usd: string | null;
  cache_hit: boolean | null;
  attributes: Record<string, unknown>;
}

async function storedSpans(project = projectId): Promise<StoredSpan[]> {
  const { rows } = await db.pool.query<StoredSpan>(
    `select * from spans where project_id = $1 and service_name = 'e2e-app' order by start_time`,
    [project],
  );
  return rows;
}

describe('an instrumented app, through the collector into Postgres', () => {
  let spans: StoredSpan[];
  let results: Record<string, unknown>;

  beforeAll(async () => {
    const run = await runApp(collector.url);
    results = run.results;
    expect(run.instrumented).toEqual({ openai: true, anthropic: true });
    // The app's shutdown exported everything, and the collector answers only after committing.
    spans = await storedSpans();
  });

  // The app connects to Redis before any request: connect, the ready check, the client handshake.
  const isConnectionSetup = (span: StoredSpan) =>
    (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'redis' &&
    ['redis-connect', 'connect', 'info', 'hello', 'client'].includes(span.name.toLowerCase().split(' ')[0]!);

  const model = (name: string) => {
    const found = spans.filter((s) => s.category === 'model' && s.model === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };

  it('leaves what the app gets from its clients unchanged', () => {
    expect(results).toMatchObject({
      answer: 42,
      cacheHit: 'cached answer',
      cancelledAfter: 3,
      failedStatus: 500,
      fallback: 'claude-fallback',
      embeddingLength: 8,
      custom: 'done',
    });
    expect(results.cacheMiss).toBeUndefined();
    expect(results).toMatchObject({
      documents: 2,
      insertStatus: 201,
      rpcStatus: 200,
      missingCode: 'PGRST205',
      ioredisGet: 'cached answer',
      redisGet: null,
    });
  });

  it('tags model, db and cache spans with the tenant, session, user and deployment', () => {
    const tagged = spans.filter((s) => ['model', 'db', 'cache'].includes(s.category) && !isConnectionSetup(s));
    expect(tagged.map((s) => s.category).sort()).toEqual(expect.arrayContaining(['cache', 'cache', 'db', 'model']));
    for (const span of tagged) {
      expect(span, span.name).toMatchObject({
        tenant_id: 'acme',
        session_id: 'sess-1',
        user_id: 'user-1',
        deployment: 'v1.2.3',
        environment: 'test',
      });
    }
  });

  it('records OpenAI usage with cached tokens inside the input, and prices the call', () => {
    const call = model('gpt-4o-mini');
    expect(call).toMatchObject({
      provider: 'openai',
      status: 'ok',
      input_tokens: 200,
      cache_read_tokens: 64,
      output_tokens: 30,
    });
    expect(Number(call.cost_usd)).toBeGreaterThan(0);
  });

  it('asks a stream for its usage and measures time to the first content chunk', () => {
    const call = model('gpt-4o-stream');
    expect(call).toMatchObject({ input_tokens: 50, output_tokens: 12 });
    expect(call.ttft_ms).toBeGreaterThanOrEqual(200);
    // Generous above: the server's delay plus scheduling on a busy machine, well under the stream's end.
    expect(call.ttft_ms).toBeLessThan(200 + 400);
  });

  it('adds Anthropic cache reads and writes to its input tokens', () => {
    expect(model('claude-sonnet-4-5')).toMatchObject({
      provider: 'anthropic',
      input_tokens: 3000,
      cache_read_tokens: 2000,
      cache_write_tokens: 500,
      output_tokens: 40,
    });
  });

  it('times an Anthropic stream to the first text delta, not to message_start', () => {
    const call = model('claude-haiku-4-5');
    expect(call).toMatchObject({ input_tokens: 100, output_tokens: 15 });
    expect(call.ttft_ms).toBeGreaterThanOrEqual(250);
    expect(call.ttft_ms).toBeLessThan(250 + 400);
  });

  it('puts every call of the request in one trace, under the request span', () => {
    const request = spans.find((s) => s.name === 'POST /api/answer')!;
    expect(request.parent_span_id).toBeNull();
    // Started before the middleware knew the tenant, and tagged by it: requests count per tenant.
    expect(request.tenant_id).not.toBe('unknown');
    expect(spans.find((s) => s.category === 'model' && s.trace_id === request.trace_id)).toMatchObject({
      tenant_id: request.tenant_id,
      session_id: request.session_id,
      user_id: request.user_id,
    });
    for (const span of spans.filter((s) => !isConnectionSetup(s)))
      expect(span.trace_id, span.name).toBe(request.trace_id);
  });

  it('leaves the Redis connections, made at startup outside any request, unattributed', () => {
    const setup = spans.filter(isConnectionSetup);
    expect(setup.length).toBeGreaterThan(0);
    const request = spans.find((s) => s.name === 'POST /api/answer')!;
    for (const span of setup)
      expect(span, span.name).toMatchObject({ tenant_id: 'unknown', session_id: null, user_id: null });
    for (const span of setup) expect(span.trace_id).not.toBe(request.trace_id);
  });

  it('marks a failed provider call as an error, and records the fallback call beside it', () => {
    expect(model('gpt-flaky')).toMatchObject({ status: 'error' });
    const fallback = model('claude-fallback');
    expect(fallback.status).toBe('ok');
    expect(fallback.trace_id).toBe(model('gpt-flaky').trace_id);
  });

  it('ends a stream the app stopped reading as cancelled', () => {
    const call = model('gpt-4o-cancel');
    expect(call.status).toBe('ok');
    expect(call.attributes['vigil.cancelled']).toBe(true);
  });

  it('records embeddings, the pg query, cache hits and misses, and traceModelCall spans', () => {
    // "hello": five characters, two tokens at the fake server's four characters a token.
    expect(model('text-embedding-3-small')).toMatchObject({ provider: 'openai', input_tokens: 2 });
    expect(spans.some((s) => s.category === 'db' && s.attributes['db.system.name'] === 'postgresql')).toBe(true);
    const caches = spans
      .filter((s) => s.attributes['cache.name'] === 'semantic')
      .map((s) => [s.attributes['cache.hit'], s.cache_hit, s.category])
      .sort();
    // Stored as the lookup's outcome, which rollups count as hits and misses.
    expect(caches).toEqual([
      [false, false, 'cache'],
      [true, true, 'cache'],
    ]);
    const custom = model('mistral-small-latest');
    expect(custom).toMatchObject({ provider: 'mistral_ai', input_tokens: 90, output_tokens: 10 });
    // A 30 ms timer: Node's timers count whole milliseconds of a coarser clock, so the measured
    // time may come out a fraction of a millisecond short.
    expect(custom.ttft_ms).toBeGreaterThanOrEqual(29);
    expect(custom.ttft_ms).toBeLessThan(1000);
  });

  it('names supabase-js requests as database calls: table or function, operation and status', () => {
    const postgrest = spans
      .filter((s) => s.attributes['db.client'] === 'postgrest')
      .map((s) => ({
        category: s.category,
        status: s.status,
        table: s.attributes['db.collection.name'],
        fn: s.attributes['db.stored_procedure.name'],
        operation: s.attributes['db.operation.name'],
        http: s.attributes['http.response.status_code'],
      }));
    expect(postgrest).toEqual([
      { category: 'db', status: 'ok', table: 'documents', fn: undefined, operation: 'select', http: 200 },
      { category: 'db', status: 'ok', table: 'ai_api_calls', fn: undefined, operation: 'insert', http: 201 },
      { category: 'db', status: 'ok', table: undefined, fn: 'match_documents', operation: 'call', http: 200 },
      { category: 'db', status: 'error', table: 'no_such_table', fn: undefined, operation: 'select', http: 404 },
    ]);
  });

  it('records ioredis and node-redis commands as cache calls of the request', () => {
    const redisCalls = spans.filter(
      (s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis' && !isConnectionSetup(s),
    );
    const commands = redisCalls.map((s) => s.attributes['db.operation.name'] ?? s.attributes['db.operation'] ?? s.name);
    expect(commands).toEqual(expect.arrayContaining(['set', 'get', 'GET']));
    for (const call of redisCalls)
      expect(call).toMatchObject({ category: 'cache', tenant_id: 'acme', session_id: 'sess-1', user_id: 'user-1' });
  });

  it('stores no prompt or completion when content capture is off', () => {
    const text = JSON.stringify(spans.map((s) => s.attributes));
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('gen_ai.input.messages');
  });
});

describe('content capture and a missing collector', () => {
  it('redacts emails and keys from captured prompts (app and project both opted in)', async () => {
    await runApp(collector.url, ['--capture-content'], captureKey);
    // Captured content is kept apart from the spans, where row-level security hides it by role.
    expect(JSON.stringify((await storedSpans(captureProjectId)).map((s) => s.attributes))).not.toContain(
      'gen_ai.input.messages',
    );
    const { rows } = await db.pool.query<{ attributes: unknown }>(
      `select c.attributes from span_contents c join spans s using (project_id, trace_id, span_id)
        where c.project_id = $1 and s.service_name = 'e2e-app'`,
      [captureProjectId],
    );
    const text = JSON.stringify(rows.map((r) => r.attributes));
    expect(text).toContain('gen_ai.input.messages');
    expect(text).toContain('[REDACTED_EMAIL]');
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('sk-abcdefghijklmnopqrstuvwx');
  });

  it('never breaks the app when the collector is down', async () => {
    const run = await runApp('http://127.0.0.1:9');
    expect(run.results).toMatchObject({
      answer: 42,
      cacheHit: 'cached answer',
      fallback: 'claude-fallback',
      custom: 'done',
    });
  });
});
