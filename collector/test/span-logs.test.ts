// Log records written inside a span (an app's log lines, GenAI events emitted as logs) are kept
// with that span and read back in the trace view: sent by the real OpenTelemetry log exporters,
// once however often they are retried, without content unless the project captures it, and then
// only for roles that may read content.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { type Caller, readTrace, type TraceLog } from '@vigil/core';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { kv, postSignal } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector();
  await t.db.pool.query('update projects set capture_content = true where id = $1', [t.projectB]);
});
afterAll(() => t.close());

const SECRET_ANSWER = 'the vault code is 0451';
const SECRET_PROMPT = 'what is the vault code?';

function exporterFor(key: string, kind: 'protobuf' | 'gRPC'): LogRecordExporter {
  if (kind === 'protobuf')
    return new ProtoExporter({ url: `${t.url}/v1/logs`, headers: { authorization: `Bearer ${key}` } });
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return new GrpcExporter({ url: `http://${t.collector.grpcAddress}`, metadata });
}

/** A model span, then three records inside it and one outside any span, through the real SDK. */
async function sendTrace(key: string, kind: 'protobuf' | 'gRPC', tenant: string) {
  const traceId = randomHex(16);
  const spanId = randomHex(8);
  const startMs = Date.now() - 5_000;
  const span = {
    traceId,
    spanId,
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(startMs + 800) * 1_000_000n),
    attributes: [
      kv('tenant.id', tenant),
      kv('gen_ai.operation.name', 'chat'),
      kv('gen_ai.request.model', 'gpt-4o-mini'),
      kv('gen_ai.usage.input_tokens', 12),
    ],
  };
  const resource = { attributes: [kv('service.name', 'answer-api')] };
  const posted = await postSignal(t.url, key, '/v1/traces', {
    resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }],
  });
  expect(posted.status).toBe(200);

  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'answer-api' }),
    processors: [new BatchLogRecordProcessor({ exporter: exporterFor(key, kind) })],
  });
  const logger = provider.getLogger('answer-api.logs');
  const inSpan = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    context: inSpan,
    timestamp: startMs + 100,
    severityNumber: 9,
    body: 'retrieved 4 documents',
    attributes: { 'db.rows': 4 },
  });
  logger.emit({
    context: inSpan,
    timestamp: startMs + 200,
    severityNumber: 5,
    body: 'calling the model',
    attributes: { 'gen_ai.prompt': SECRET_PROMPT, 'gen_ai.request.model': 'gpt-4o-mini' },
  });
  logger.emit({
    context: inSpan,
    timestamp: startMs + 790,
    eventName: 'gen_ai.choice',
    body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: SECRET_ANSWER } },
    attributes: { 'gen_ai.system': 'openai' },
  });
  // Outside any span: nothing to keep it with.
  logger.emit({ context: ROOT_CONTEXT, timestamp: startMs, severityNumber: 13, body: 'cache cold' });
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId, spanId };
}

const member = (projectId: string, memberRole: 'viewer' | 'operator', tenantId?: string): Caller => ({
  role: 'authenticated',
  projectId,
  memberRole,
  ...(tenantId ? { tenantId } : {}),
});

async function logsFor(caller: Caller, traceId: string): Promise<TraceLog[]> {
  const projectId = caller.role === 'authenticated' ? caller.projectId : t.projectA;
  const spans = await readTrace(t.db.pool, caller, { projectId, traceId });
  return spans.flatMap((s) => s.logs);
}

const APP_LOG = { name: '', severity: 9, body: 'retrieved 4 documents', attributes: { 'db.rows': 4 } };
const MODEL_LOG_WITHOUT_PROMPT = {
  name: '',
  severity: 5,
  body: 'calling the model',
  attributes: { 'gen_ai.request.model': 'gpt-4o-mini' },
};

describe('log records kept with their span', () => {
  for (const kind of ['protobuf', 'gRPC'] as const)
    it(`keeps records sent over ${kind} inside a span with it, and no content when the project does not capture it`, async () => {
      const { traceId } = await sendTrace(t.keyA, kind, 'acme');
      for (const role of ['viewer', 'operator'] as const) {
        const logs = await logsFor(member(t.projectA, role), traceId);
        expect(logs.map(({ at, digest, ...log }) => log)).toEqual([APP_LOG, MODEL_LOG_WITHOUT_PROMPT]);
        expect(Date.parse(logs[0]!.at)).toBeLessThan(Date.parse(logs[1]!.at));
      }
      // Stored nowhere: not in a row any role could read.
      const stored = await t.db.pool.query(`select l::text as row from span_logs l where trace_id = $1::uuid`, [
        traceId,
      ]);
      expect(stored.rows.length).toBe(2);
      for (const { row } of stored.rows) {
        expect(row).not.toContain(SECRET_PROMPT);
        expect(row).not.toContain(SECRET_ANSWER);
      }
      // Another tenant's member sees the span's records no more than the span.
      expect(await logsFor(member(t.projectA, 'operator', 'globex'), traceId)).toEqual([]);
      expect((await logsFor(member(t.projectA, 'operator', 'acme'), traceId)).length).toBe(2);
    });

  it('keeps content apart where the project captures it: operators read it, viewers do not', async () => {
    const { traceId } = await sendTrace(t.keyB, 'protobuf', 'acme');
    const operator = (await logsFor(member(t.projectB, 'operator'), traceId)).map(({ at, digest, ...log }) => log);
    expect(operator).toEqual([
      APP_LOG,
      {
        ...MODEL_LOG_WITHOUT_PROMPT,
        attributes: { 'gen_ai.prompt': SECRET_PROMPT, 'gen_ai.request.model': 'gpt-4o-mini' },
      },
      {
        name: 'gen_ai.choice',
        severity: 0,
        body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: SECRET_ANSWER } },
        attributes: { 'gen_ai.system': 'openai' },
      },
    ]);
    const viewer = (await logsFor(member(t.projectB, 'viewer'), traceId)).map(({ at, digest, ...log }) => log);
    expect(viewer).toEqual([APP_LOG, MODEL_LOG_WITHOUT_PROMPT]);
  });

  it('stores a retried export once, and counts what it kept and what it did not', async () => {
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const record = (body: string) => ({
      timeUnixNano: String(nowNs),
      traceId,
      spanId,
      severityNumber: 17,
      body: { stringValue: body },
    });
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [record('timeout'), record('retrying')] }] }] };
    for (let i = 0; i < 3; i++) expect((await postSignal(t.url, t.keyA, '/v1/logs', logs)).status).toBe(200);
    const { rows } = await t.db.pool.query(
      `select body from span_logs where project_id = $1 and trace_id = $2::uuid order by body`,
      [t.projectA, traceId],
    );
    expect(rows).toEqual([{ body: 'retrying' }, { body: 'timeout' }]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    // Kept: two per exporter test, three in the capturing project, two here sent three times. Not
    // kept: the content event and the record outside a span in each exporter test, and the latter
    // in the capturing project.
    expect(metrics).toMatch(/vigil_log_records_attached_total 13\b/);
    expect(metrics).toMatch(/vigil_log_records_not_stored_total 5\b/);
  });
});
