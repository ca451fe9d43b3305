// A small app instrumented with the SDK, run as its own process by the end-to-end tests: it makes
// model, database and cache calls for one tenant, session and user, then exports and exits. It
// prints what each call returned, so the tests can check that instrumentation changed nothing.
//
//   VIGIL_ENDPOINT=… VIGIL_API_KEY=… OPENAI_BASE_URL=… ANTHROPIC_BASE_URL=… DATABASE_URL=… \
//   SUPABASE_URL=… REDIS_URL=… node sdk/test/app/instrumented-app.ts [--capture-content]

import { init, traceCache, traceModelCall, withContext } from '../../src/index.ts';

const captureContent = process.argv.includes('--capture-content');
const vigil = await init({
  serviceName: 'e2e-app',
  endpoint: process.env.VIGIL_ENDPOINT!,
  deployment: 'v1.2.3',
  environment: 'test',
  captureContent,
});

// Imported after init, as an app's entry file would (init runs first, from --import or the top).
const { default: OpenAI } = await import('openai');
const { default: Anthropic } = await import('@anthropic-ai/sdk');
const { default: pg } = await import('pg');
const { createClient } = await import('@supabase/supabase-js');
const { Redis: IORedis } = await import('ioredis');
const { createClient: createRedisClient } = await import('redis');

const openai = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL!, apiKey: 'sk-test', maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: process.env.ANTHROPIC_BASE_URL!, apiKey: 'sk-ant-test', maxRetries: 0 });
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 1 });
const supabase = createClient(process.env.SUPABASE_URL!, 'anon-key', {
  auth: { persistSession: false, autoRefreshToken: false },
});
const ioredis = new IORedis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
await ioredis.connect();
const nodeRedis = await createRedisClient({ url: process.env.REDIS_URL! }).connect();
const results: Record<string, unknown> = {};
const cache = new Map<string, string>([['known question', 'cached answer']]);

// One request of the app, as a server span would frame it.
const { trace } = await import('@opentelemetry/api');
const handleRequest = (fn: () => Promise<void>) =>
  trace.getTracer('e2e-app').startActiveSpan('POST /api/answer', async (span) => {
    try {
      await fn();
    } finally {
      span.end();
    }
  });

await withContext({ tenantId: 'acme', sessionId: 'sess-1', userId: 'user-1' }, () =>
  handleRequest(async () => {
    const chat = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'My email is jane@example.com and my key is sk-abcdefghijklmnopqrstuvwx' }],
    });
    results.chat = chat.usage;

    // No stream_options: the SDK asks for the usage chunk itself.
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-stream',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    results.streamedLength = streamed.length;

    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello' }],
    });
    results.message = message.usage;

    const anthropicStream = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    let events = 0;
    for await (const _event of anthropicStream) events++;
    results.anthropicEvents = events;

    const embedding = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    results.embeddingLength = embedding.data[0]!.embedding.length;

    // A failing provider, and a fallback to the other one.
    try {
      await openai.chat.completions.create({ model: 'gpt-flaky', messages: [{ role: 'user', content: 'x' }] });
    } catch (error) {
      results.failedStatus = (error as { status?: number }).status;
      const fallback = await anthropic.messages.create({
        model: 'claude-fallback',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'x' }],
      });
      results.fallback = fallback.model;
    }

    // The reader stops after three chunks: the call ends as cancelled, with what was read.
    const cancelled = await openai.chat.completions.create({
      model: 'gpt-4o-cancel',
      messages: [{ role: 'user', content: 'long' }],
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of cancelled) if (++chunks === 3) break;
    results.cancelledAfter = chunks;

    const { rows } = await pool.query('select 41 + 1 as answer');
    results.answer = rows[0].answer;

    const documents = await supabase.from('documents').select('id, body').eq('tenant', 'acme');
    results.documents = documents.data?.length;
    const inserted = await supabase.from('ai_api_calls').insert({ model: 'gpt-4o-mini', cost_usd: 0.001 });
    results.insertStatus = inserted.status;
    const matched = await supabase.rpc('match_documents', { query: 'hello', match_count: 3 });
    results.rpcStatus = matched.status;
    const missing = await supabase.from('no_such_table').select('*');
    results.missingCode = missing.error?.code;

    await ioredis.set('answer:known', 'cached answer');
    results.ioredisGet = await ioredis.get('answer:known');
    results.redisGet = await nodeRedis.get('answer:unknown');

    results.cacheHit = await traceCache('semantic', 'known question', async () => cache.get('known question'));
    results.cacheMiss = await traceCache('semantic', 'new question', async () => cache.get('new question'));

    results.custom = await traceModelCall({ provider: 'mistral_ai', model: 'mistral-small-latest' }, async (call) => {
      await new Promise((r) => setTimeout(r, 30));
      call.firstChunk();
      call.usage({ inputTokens: 90, outputTokens: 10 });
      return 'done';
    });
  }),
);

await pool.end();
ioredis.disconnect();
await nodeRedis.quit();
await vigil.shutdown();
process.stdout.write(`${JSON.stringify({ results, instrumented: vigil.instrumented })}\n`);
