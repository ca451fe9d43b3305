// The benchmark's span mix, produced by the real OpenTelemetry SDK and serialised by the real OTLP
// protobuf serializer (the bytes an app's exporter would send).
//
// Each trace is one request of an AI app: an HTTP root span carrying tenant, session and user,
// then 8 model calls (GenAI semconv attributes, tokens incl. cache reads) and 11 db/cache calls
// (Postgres and Redis). Over the run that is 40% model spans, 55% db/cache, 5% HTTP roots.
// Children end before their root, so batches split some traces and late parents get exercised.

import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { seededRandom } from '@vigil/core';

export const SPANS_PER_TRACE = 20;
const MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'claude-sonnet-4-20250514',
  'claude-3-5-haiku-20241022',
  'gemini-2.0-flash',
  'o3-mini',
  'gpt-4.1',
  'mistral-large-latest',
];
const PROVIDERS: Record<string, string> = {
  'gpt-4o-mini': 'openai',
  'gpt-4o': 'openai',
  'o3-mini': 'openai',
  'gpt-4.1': 'openai',
  'claude-sonnet-4-20250514': 'anthropic',
  'claude-3-5-haiku-20241022': 'anthropic',
  'gemini-2.0-flash': 'gcp.gemini',
  'mistral-large-latest': 'mistral_ai',
};
const TABLES = ['documents', 'embeddings', 'ai_api_calls', 'profiles', 'messages'];

// A small deterministic generator so every run sends the same workload.

export function* generateRequests(totalSpans: number, spansPerRequest: number): Generator<Uint8Array> {
  const random = seededRandom(42);
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'ai-app',
      'service.version': 'v42',
      'deployment.environment.name': 'bench',
    }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('vigil-bench');
  const traces = Math.ceil(totalSpans / SPANS_PER_TRACE);
  let pending: ReadableSpan[] = [];
  for (let t = 0; t < traces; t++) {
    const tenant = `tenant-${Math.floor(random() ** 2 * 50)}`;
    const root = tracer.startSpan('POST /api/chat', {
      kind: SpanKind.SERVER,
      attributes: {
        'tenant.id': tenant,
        'session.id': `${tenant}-session-${Math.floor(random() * 2000)}`,
        'user.id': `${tenant}-user-${Math.floor(random() * 300)}`,
        'http.request.method': 'POST',
        'http.route': random() < 0.7 ? '/api/chat' : '/api/search',
        'http.response.status_code': 200,
      },
    });
    const parent = trace.setSpan(context.active(), root);
    for (let i = 0; i < SPANS_PER_TRACE - 1; i++) {
      if (i % 5 === 1 || i % 5 === 3) {
        const model = MODELS[Math.floor(random() * MODELS.length)]!;
        const input = 200 + Math.floor(random() * 4000);
        const span = tracer.startSpan(
          `chat ${model}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': PROVIDERS[model]!,
              'gen_ai.request.model': model,
              'gen_ai.response.model': model,
              'gen_ai.request.temperature': 0.2,
              'gen_ai.request.max_tokens': 1024,
              'gen_ai.request.stream': true,
              'gen_ai.response.id': `resp_${t}_${i}`,
              'gen_ai.response.finish_reasons': ['stop'],
              'gen_ai.usage.input_tokens': input,
              'gen_ai.usage.output_tokens': 50 + Math.floor(random() * 600),
              'gen_ai.usage.cache_read.input_tokens': Math.floor(input * random() * 0.5),
              'gen_ai.response.time_to_first_chunk': 0.1 + random() * 0.8,
              'server.address': 'api.example.com',
              'server.port': 443,
            },
          },
          parent,
        );
        if (random() < 0.02) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 529' });
        span.end();
      } else if (i % 5 === 4) {
        tracer
          .startSpan(
            'GET',
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'db.system.name': 'redis',
                'db.operation.name': 'GET',
                'db.namespace': '0',
                'cache.hit': random() < 0.6,
                'server.address': 'redis',
              },
            },
            parent,
          )
          .end();
      } else {
        const table = TABLES[Math.floor(random() * TABLES.length)]!;
        tracer
          .startSpan(
            `SELECT ${table}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'db.system.name': 'postgresql',
                'db.namespace': 'app',
                'db.collection.name': table,
                'db.operation.name': 'SELECT',
                'db.query.text': `select * from ${table} where id = $1`,
                'server.address': 'db.internal',
                'server.port': 5432,
              },
            },
            parent,
          )
          .end();
      }
    }
    root.end();
    pending.push(...exporter.getFinishedSpans());
    exporter.reset();
    while (pending.length >= spansPerRequest) {
      yield ProtobufTraceSerializer.serializeRequest(pending.splice(0, spansPerRequest))!;
    }
  }
  if (pending.length > 0) yield ProtobufTraceSerializer.serializeRequest(pending)!;
  pending = [];
}
