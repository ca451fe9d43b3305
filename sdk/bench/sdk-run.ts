// One process of the SDK benchmark. It sets up all three variants side by side and runs them in
// alternating blocks, so that each sees the same heap, the same loaded code and the same machine
// state (separate processes differ by ±30% run to run on a small VM, which swamps what we measure):
//   none   the call uninstrumented;
//   bare   the call instrumented by hand with the OpenTelemetry SDK (its own TracerProvider,
//          BatchSpanProcessor, the OTLP exporter), tenant/session/user set on each span by hand;
//   vigil  the call instrumented with Vigil (init, withContext, traceModelCall, traceCache).
// The call: a model call with a database query and a cache lookup inside it, all in process.
// Prints one JSON line: the mean microseconds per call of every measured block, by variant.
//
//   node sdk/bench/sdk-run.ts <sinkUrl> <callsPerBlock> <blocks>

import { SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { init, traceCache, traceModelCall, withContext } from '../src/index.ts';

const [sinkUrl, blockArg, blocksArg] = process.argv.slice(2);
if (!sinkUrl) {
  process.stderr.write('usage: sdk-run.ts <sinkUrl> <callsPerBlock> <blocks>\n');
  process.exit(2);
}
const callsPerBlock = Number(blockArg ?? 2_000);
const blocks = Number(blocksArg ?? 40);
const WARMUP_BLOCKS = 5;
const IDENTITY = { tenantId: 'acme', sessionId: 'sess-1', userId: 'user-1' };

// The work itself: what an app does around a model call, minus the network.
const db = async () => ({ rows: [{ id: 1 }] });
const cacheLookup = async (key: string) => (key.length % 2 === 0 ? 'hit' : undefined);
const model = async () => ({ text: 'answer', usage: { input: 120, output: 30 } });

async function none(): Promise<void> {
  await cacheLookup('question');
  await db();
  await model();
}

// Vigil first: init() installs the context manager and propagator that both instrumented variants
// then use, as a hand-instrumented app would install its own.
const vigilSdk = await init({ serviceName: 'bench', endpoint: sinkUrl, deployment: 'bench' });
const appTracer = trace.getTracer('bench');
const vigil = () =>
  withContext(IDENTITY, () =>
    traceModelCall({ provider: 'openai', model: 'gpt-4o-mini' }, async (call) => {
      await traceCache('semantic', 'question', () => cacheLookup('question'));
      await appTracer.startActiveSpan(
        'SELECT documents',
        { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' } },
        async (dbSpan) => {
          await db();
          dbSpan.end();
        },
      );
      const result = await model();
      call.firstChunk();
      call.usage({ inputTokens: result.usage.input, outputTokens: result.usage.output });
      return result;
    }),
  );

const bareProvider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench' }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: sinkUrl }), maxQueueSize: 8192 })],
});
const bareTracer = bareProvider.getTracer('bench');
const tag = { 'tenant.id': IDENTITY.tenantId, 'session.id': IDENTITY.sessionId, 'user.id': IDENTITY.userId };
const bare = () =>
  bareTracer.startActiveSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...tag,
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
      },
    },
    async (span) => {
      const started = performance.now();
      await bareTracer.startActiveSpan(
        'cache.get semantic',
        { kind: SpanKind.CLIENT, attributes: { ...tag, 'cache.name': 'semantic' } },
        async (cacheSpan) => {
          const value = await cacheLookup('question');
          cacheSpan.setAttribute('cache.hit', value !== undefined);
          cacheSpan.end();
        },
      );
      await bareTracer.startActiveSpan(
        'SELECT documents',
        {
          kind: SpanKind.CLIENT,
          attributes: { ...tag, 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' },
        },
        async (dbSpan) => {
          await db();
          dbSpan.end();
        },
      );
      const result = await model();
      span.setAttribute('gen_ai.response.time_to_first_chunk', (performance.now() - started) / 1000);
      span.setAttribute('gen_ai.usage.input_tokens', result.usage.input);
      span.setAttribute('gen_ai.usage.output_tokens', result.usage.output);
      span.end();
    },
  );

const variants = { none, bare, vigil } as const;
type Variant = keyof typeof variants;
const names = Object.keys(variants) as Variant[];
const perCallUs: Record<Variant, number[]> = { none: [], bare: [], vigil: [] };

for (let block = 0; block < WARMUP_BLOCKS + blocks; block++) {
  // Rotate the order so that no variant always follows the same one (and inherits its garbage).
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + block) % names.length]!;
    const run = variants[name];
    const started = process.hrtime.bigint();
    for (let call = 0; call < callsPerBlock; call++) await run();
    if (block >= WARMUP_BLOCKS) perCallUs[name].push(Number(process.hrtime.bigint() - started) / callsPerBlock / 1000);
  }
}
await Promise.all([vigilSdk.shutdown(), bareProvider.shutdown()]);
process.stdout.write(`${JSON.stringify(perCallUs)}\n`);
