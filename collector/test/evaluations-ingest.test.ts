// Evaluation results sent by the real OpenTelemetry exporter, as the GenAI semconv has them
// (gen_ai.evaluation.result events, and an evaluator span carrying the keys itself), are stored
// with their span's tenant, deployment, model and prompt, counted in the hourly rollups, kept out
// when they say nothing, stripped of their explanation, and never counted twice for a retry.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { readEvaluationScores, readEvaluationSummary, SERVICE_CALLER } from '@vigil/core';
import { otlpJsonBody } from './otlp-json.ts';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
});
afterAll(() => t.close());

describe('evaluation results', () => {
  it('are stored from gen_ai.evaluation.result events and evaluator spans, and rolled up per deployment', async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'answer-api', 'service.version': 'v7' }),
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: new OTLPTraceExporter({
            url: `${t.url}/v1/traces`,
            headers: { authorization: `Bearer ${t.keyA}` },
          }),
        }),
      ],
    });
    const tracer = provider.getTracer('vigil-test');
    for (let i = 0; i < 10; i++) {
      const call = tracer.startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
          'gen_ai.prompt.name': 'answer',
          'gen_ai.prompt.version': '3',
          'tenant.id': 'acme',
        },
      });
      call.addEvent('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': 'faithfulness',
        'gen_ai.evaluation.score.value': i / 10,
        'gen_ai.evaluation.explanation': 'The answer quotes the refund policy verbatim.',
      });
      call.addEvent('gen_ai.evaluation.result', {
        'gen_ai.evaluation.name': 'tone',
        'gen_ai.evaluation.score.label': i % 2 ? 'polite' : 'curt',
      });
      // Says nothing: neither a score nor a label.
      call.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'empty' });
      // An evaluator's own span, a child of the call, scoring it.
      tracer
        .startSpan(
          'evaluate relevance',
          { attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 4 } },
          trace.setSpan(context.active(), call),
        )
        .end();
      call.end();
    }
    await provider.forceFlush();
    await provider.shutdown();

    const { rows } = await t.db.pool.query(
      `select name, count(*)::int as n, count(score)::int as scored, round(avg(score)::numeric, 3)::float8 as mean,
              min(tenant_id) as tenant, min(deployment) as deployment, min(model) as model,
              min(prompt_name) as prompt, min(prompt_version) as version, count(label)::int as labels
         from evaluations where project_id = $1 group by name order by name`,
      [t.projectA],
    );
    expect(rows).toEqual([
      {
        name: 'faithfulness',
        n: 10,
        scored: 10,
        mean: 0.45,
        tenant: 'acme',
        deployment: 'v7',
        model: 'gpt-4o-mini',
        prompt: 'answer',
        version: '3',
        labels: 0,
      },
      {
        name: 'relevance',
        n: 10,
        scored: 10,
        mean: 4,
        tenant: 'acme',
        deployment: 'v7',
        model: null,
        prompt: null,
        version: null,
        labels: 0,
      },
      {
        name: 'tone',
        n: 10,
        scored: 0,
        mean: null,
        tenant: 'acme',
        deployment: 'v7',
        model: 'gpt-4o-mini',
        prompt: 'answer',
        version: '3',
        labels: 10,
      },
    ]);
    const events = await t.db.pool.query(
      `select e.value as event from spans, jsonb_array_elements(events) e
        where project_id = $1 and e->>'name' = 'gen_ai.evaluation.result' limit 1`,
      [t.projectA],
    );
    expect(JSON.stringify(events.rows[0].event)).not.toContain('refund policy');

    const window = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
    const summary = await readEvaluationSummary(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      deployments: ['v7'],
    });
    // Scores are summed as doubles in whatever batches the writer formed: the mean is exact to
    // rounding, not to the last bit.
    expect(
      summary.map((s) => [s.name, s.results, s.scored, s.meanScore === null ? null : round12(s.meanScore)]),
    ).toEqual([
      ['faithfulness', 10, 10, 0.45],
      ['relevance', 10, 10, 4],
      ['tone', 10, 0, null],
    ]);
    const scores = await readEvaluationScores(t.db.pool, SERVICE_CALLER, {
      projectId: t.projectA,
      window,
      name: 'faithfulness',
      slice: { deployment: 'v7', promptVersion: '3' },
    });
    expect(scores.scores.sort()).toEqual(
      [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((v) => expect.closeTo(v, 9)),
    );
  });

  it('are not counted twice when an exporter retries their span', async () => {
    const span = {
      traceId: randomHex(16),
      spanId: randomHex(8),
      name: 'evaluate',
      startMs: Date.now() - 1000,
      attributes: { 'gen_ai.evaluation.name': 'retry-check', 'gen_ai.evaluation.score.value': 1 },
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${t.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keyB}` },
        body: otlpJsonBody([span]),
      });
      expect(response.status).toBe(200);
    }
    const { rows } = await t.db.pool.query(
      `select (select count(*)::int from evaluations where project_id = $1 and name = 'retry-check') as stored,
              (select sum(results)::int from evaluation_rollups where project_id = $1 and name = 'retry-check') as rolled`,
      [t.projectB],
    );
    expect(rows[0]).toEqual({ stored: 1, rolled: 1 });
  });
});

function round12(value: number): number {
  return Number(value.toFixed(12));
}
