// Postgres is killed (SIGKILL, then crash recovery) in the middle of a stream while the real
// exporter keeps sending and retrying: every span ends up stored exactly once.
//
// The OTLP exporter gives up after 5 attempts (about 8 s of backoff); a crash recovery on a busy
// 2-core machine can take longer, and the spans it then drops were never acknowledged (a 503 is
// not an acknowledgement). So the exporter here re-sends a failed batch until it is accepted, as a
// client with a persistent queue (the OpenTelemetry Collector's sending queue) does: what is under
// test is that the collector loses nothing it acknowledged and stores retried batches once.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, SpanKind } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { TracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import pg from 'pg';
import {
  createIngestKey,
  createPool,
  createProject,
  migrate,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '@vigil/core';
import { startCollector, type RunningCollector } from '../src/collector.ts';
import { DEFAULT_TEST_SETTINGS } from './harness.ts';

const dataDir = path.resolve(import.meta.dirname, '../../.vigil/test-restart');
const port = Number(process.env.VIGIL_TEST_RESTART_PG_PORT ?? 54333);
let server: RunningPostgres;
let pool: pg.Pool;
let collector: RunningCollector;
let key: string;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir, port });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('drop database if exists vigil_restart with (force)');
  await admin.query('create database vigil_restart');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/vigil_restart');
  pool = createPool(url, { poolSize: 6 });
  const client = await pool.connect();
  await migrate(client);
  client.release();
  await createProject(pool, 'restart');
  key = (await createIngestKey(pool, 'restart')).key;
  collector = await startCollector({ ...DEFAULT_TEST_SETTINGS, VIGIL_BATCH_MAX_SPANS: 200 }, pool);
});

afterAll(async () => {
  await collector?.close();
  await pool?.end();
  await server?.stop();
});

async function killPostgres(): Promise<void> {
  const pid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  // Wait until it is gone and its backends have noticed.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 500));
}

/** Re-sends a batch until the collector accepts it; counts the batches it had to re-send. */
class UntilAcceptedExporter implements SpanExporter {
  resent = 0;
  private inFlight = 0;
  private readonly inner: SpanExporter;
  constructor(inner: SpanExporter) {
    this.inner = inner;
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inFlight++;
    const attempt = () =>
      this.inner.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          this.inFlight--;
          done(result);
        } else {
          this.resent++;
          setTimeout(attempt, 500);
        }
      });
    attempt();
  }
  async settled(): Promise<void> {
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 50));
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

describe('Postgres killed mid-stream', () => {
  it('loses and duplicates nothing while exporters retry', async () => {
    const exporter = new UntilAcceptedExporter(
      new OTLPTraceExporter({
        url: `${collector.url}/v1/traces`,
        headers: { authorization: `Bearer ${key}` },
        timeoutMillis: 30_000,
        concurrencyLimit: 10_000,
      }),
    );
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'restart-test' }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter,
          maxExportBatchSize: 50,
          scheduledDelayMillis: 20,
          maxQueueSize: 100_000,
          exportTimeoutMillis: 300_000,
        }),
      ],
    });
    const tracer = provider.getTracer('restart');
    const requests = 1200;
    let killed = false;
    for (let i = 0; i < requests; i++) {
      const root = tracer.startSpan('POST /x', { kind: SpanKind.SERVER, attributes: { 'tenant.id': `t${i % 3}` } });
      const ctx = trace.setSpan(context.active(), root);
      tracer
        .startSpan(
          'chat gpt-4o-mini',
          {
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 10,
              'gen_ai.usage.output_tokens': 5,
            },
          },
          ctx,
        )
        .end();
      root.end();
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 15));
      if (i === 400 && !killed) {
        killed = true;
        await killPostgres();
        const restarted = await startEmbeddedPostgres({ dataDir, port });
        server = restarted;
      }
    }
    await provider.forceFlush();
    await exporter.settled();
    await provider.shutdown();

    const { rows } = await pool.query(
      `select count(*)::int as n, count(distinct (trace_id, span_id))::int as distinct_n from spans`,
    );
    expect(rows[0]).toEqual({ n: requests * 2, distinct_n: requests * 2 });
    const calls = await pool.query(
      `select count(*)::int as n, count(distinct (trace_id, span_id))::int as distinct_n from ai_api_calls`,
    );
    expect(calls.rows[0]).toEqual({ n: requests, distinct_n: requests });
    const unknown = await pool.query(`select count(*)::int as n from spans where tenant_id = 'unknown'`);
    expect(unknown.rows[0].n).toBe(0);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_spans_dropped_total|vigil_http_requests_total\{signal="traces",status="503"\}/);
  });
});
