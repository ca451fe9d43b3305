// One variant of the SDK benchmark, in its own process (each sets up tracing globally):
//   none   the call uninstrumented;
//   bare   the call instrumented by hand with the OpenTelemetry SDK (TracerProvider,
//          BatchSpanProcessor, the OTLP exporter), tenant/session/user set on each span by hand;
//   vigil  the call instrumented with Vigil (init, withContext, traceModelCall, traceCache).
// The call: a model call with a database query and a cache lookup inside it, all in process.
// Prints the mean nanoseconds per call over the measured calls.
//
//   node sdk/bench/sdk-run.ts <variant> <sinkUrl> <calls>

import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { init, traceCache, traceModelCall, withContext } from '../src/index.ts';

const [variant, sinkUrl, callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? 20_000);
const warmup = Math.min(2_000, calls / 5);
const IDENTITY = { tenantId: 'acme', sessionId: 'sess-1', userId: 'user-1' };

// The work itself: what an app does around a model call, minus the network.
const db = async () => ({ rows: [{ id: 1 }] });
const cacheLookup = async (key: string) => (key.length % 2 === 0 ? 'hit' : undefined);
const model = async () => ({ text: 'answer', usage: { input: 120, output: 30 } });

async function plain(): Promise<void> {
  await cacheLookup('question');
  await db();
  await model();
}

let run: () => Promise<unknown>;
let finish = async () => {};

if (variant === 'none') {
  run = plain;
} else if (variant === 'bare') {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: sinkUrl }), maxQueueSize: 8192 })],
  });
  const tracer = provider.getTracer('bench');
  const tag = { 'tenant.id': IDENTITY.tenantId, 'session.id': IDENTITY.sessionId, 'user.id': IDENTITY.userId };
  run = () =>
    tracer.startActiveSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: { ...tag, 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' } }, async (span) => {
      const started = performance.now();
      await tracer.startActiveSpan('cache.get semantic', { kind: SpanKind.CLIENT, attributes: { ...tag, 'cache.name': 'semantic' } }, async (cacheSpan) => {
        const value = await cacheLookup('question');
        cacheSpan.setAttribute('cache.hit', value !== undefined);
        cacheSpan.end();
      });
      await tracer.startActiveSpan('SELECT documents', { kind: SpanKind.CLIENT, attributes: { ...tag, 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' } }, async (dbSpan) => {
        await db();
        dbSpan.end();
      });
      const result = await model();
      span.setAttribute('gen_ai.response.time_to_first_chunk', (performance.now() - started) / 1000);
      span.setAttribute('gen_ai.usage.input_tokens', result.usage.input);
      span.setAttribute('gen_ai.usage.output_tokens', result.usage.output);
      span.end();
    });
  finish = () => provider.shutdown();
} else if (variant === 'vigil') {
  const vigil = await init({ serviceName: 'bench', endpoint: sinkUrl, deployment: 'bench' });
  const tracer = trace.getTracer('bench');
  run = () =>
    withContext(IDENTITY, () =>
      traceModelCall({ provider: 'openai', model: 'gpt-4o-mini' }, async (call) => {
        await traceCache('semantic', 'question', () => cacheLookup('question'));
        await tracer.startActiveSpan('SELECT documents', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' } }, async (dbSpan) => {
          await db();
          dbSpan.end();
        });
        const result = await model();
        call.firstChunk();
        call.usage({ inputTokens: result.usage.input, outputTokens: result.usage.output });
        return result;
      }),
    );
  finish = () => vigil.shutdown();
} else {
  process.stderr.write(`unknown variant ${variant}: none, bare or vigil\n`);
  process.exit(2);
}

for (let i = 0; i < warmup; i++) await run();
const started = process.hrtime.bigint();
for (let i = 0; i < calls; i++) await run();
const elapsed = Number(process.hrtime.bigint() - started);
await finish();
process.stdout.write(`${JSON.stringify({ variant, nsPerCall: elapsed / calls })}\n`);
