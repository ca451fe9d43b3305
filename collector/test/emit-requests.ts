// Requests as an instrumented app makes them: a server span with tenant, session and user, and
// under it a streamed model call (every tenth fails), a Postgres query and a Redis GET.

import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';

export function emitRequests(tracer: Tracer, requests: number, tenant: string): string[] {
  const traceIds: string[] = [];
  for (let i = 0; i < requests; i++) {
    {
      const root = tracer.startSpan('POST /api/answer', {
        kind: SpanKind.SERVER,
        attributes: {
          'tenant.id': tenant,
          'session.id': `sess-${i % 7}`,
          'user.id': `user-${i % 5}`,
          'http.route': '/api/answer',
          'http.request.method': 'POST',
        },
      });
      // No context manager is registered here, so the parent is passed explicitly.
      const parent = trace.setSpan(context.active(), root);
      {
        traceIds.push(root.spanContext().traceId);
        const model = tracer.startSpan(
          'chat gpt-4o-mini',
          {
            kind: SpanKind.CLIENT,
            startTime: Date.now() - 900, // a streamed call of ~0.9 s whose first chunk came at 0.25 s
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 120 + i,
              'gen_ai.usage.output_tokens': 30,
              'gen_ai.response.time_to_first_chunk': 0.25,
              'gen_ai.response.finish_reasons': ['stop'],
            },
          },
          parent,
        );
        if (i % 10 === 0) model.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
        model.end();
        tracer
          .startSpan(
            'SELECT documents',
            {
              kind: SpanKind.CLIENT,
              attributes: { 'db.system.name': 'postgresql', 'db.collection.name': 'documents' },
            },
            parent,
          )
          .end();
        tracer
          .startSpan(
            'GET',
            {
              kind: SpanKind.CLIENT,
              attributes: { 'db.system.name': 'redis', 'db.operation.name': 'GET', 'cache.hit': i % 2 === 0 },
            },
            parent,
          )
          .end();
        root.end();
      }
    }
  }
  return traceIds;
}
