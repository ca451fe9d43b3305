import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import {
  SPAN_FIELD_COLUMNS,
  SPAN_ROW_COLUMNS,
  type SpanField,
  selectSpanFields,
  spanRow,
} from '../src/spans/columns.ts';
import { copySpanRows, SpanDimensionCodes } from '../src/spans/span-dimensions.ts';
import { asWrapper, NO_TENANT, type StoredSpan, WRAPPER_FIELDS } from '../src/spans/stored-span.ts';
import { createProject } from '../src/projects.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { WRAPPER_SET_SQL } from '../src/spans/columns.ts';

const NOW = Date.now();
let db: TestDatabase;
let projectId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'spans-schema')).id;
});
afterAll(() => db.drop());

function modelSpan(overrides: Partial<StoredSpan> = {}): StoredSpan {
  return {
    projectId,
    traceId: 'a1'.repeat(16),
    spanId: 'b2'.repeat(8),
    parentSpanId: 'c3'.repeat(8),
    name: 'chat gpt-4o\tquoted "x"\nnext',
    kind: 3,
    serviceName: 'shop',
    startMs: NOW - 1234.5,
    durationMs: 812.25,
    category: 'model',
    status: 'error',
    statusMessage: 'rate limited \\ retry',
    tenantId: 'acme',
    sessionId: 's-1',
    userId: 'u-1',
    surface: '/chat',
    deployment: 'v7',
    environment: 'prod',
    model: 'gpt-4o',
    provider: 'openai',
    operation: 'chat',
    promptName: 'support-answer',
    promptVersion: '7',
    ttftMs: 120.5,
    cacheHit: null,
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadTokens: 1000,
    cacheWriteTokens: 0,
    reasoningTokens: 100,
    cacheWrite1hTokens: null,
    reportedCostUsd: 0.0048,
    wrapper: false,
    costUsd: 0.00475,
    costSource: 'catalog',
    attributes: { 'gen_ai.system': 'openai', nested: { list: [1, 'two', null] } },
    events: [{ name: 'first token', timeMs: NOW - 1000, attributes: { n: 1 } }],
    ...overrides,
  };
}

const STORED_FIELDS = Object.keys(SPAN_FIELD_COLUMNS) as SpanField[];

/** COPYs spans into span_rows as the collector does, their dimensions' codes resolved first. */
async function copySpans(client: pg.ClientBase, spans: StoredSpan[]): Promise<void> {
  await copySpanRows(client, spans, new SpanDimensionCodes());
}

describe('the stored span', () => {
  it('encodes one COPY field per column, in the column order', () => {
    const span = modelSpan();
    const fields = spanRow(span, 4242).replace(/\n$/, '').split('\t');
    expect(fields).toHaveLength(SPAN_ROW_COLUMNS.length);
    expect(fields[SPAN_ROW_COLUMNS.indexOf('trace_id')]).toBe('a1'.repeat(16));
    expect(fields[SPAN_ROW_COLUMNS.indexOf('dimensions')]).toBe('4242');
    expect(fields[SPAN_ROW_COLUMNS.indexOf('duration_ms')]).toBe('812.25');
    expect(fields[SPAN_ROW_COLUMNS.indexOf('session_id')]).toBe('s-1');
    expect(fields[SPAN_ROW_COLUMNS.indexOf('cache_write_1h_tokens')]).toBe('\\N');
    expect(fields[SPAN_ROW_COLUMNS.indexOf('reported_cost_usd')]).toBe('0.0048');
  });

  it('reads back from Postgres exactly as it was written, field by field', async () => {
    const span = modelSpan();
    const client = await db.pool.connect();
    try {
      await copySpans(client, [span]);
      const { rows } = await client.query(
        `select ${selectSpanFields(STORED_FIELDS)} from spans s where s.project_id = $1 and s.span_id = vigil_span_id($2)`,
        [projectId, span.spanId],
      );
      const { wrapper: _wrapper, ...stored } = span;
      expect(rows[0].startMs).toBeCloseTo(span.startMs, 3);
      expect({ ...rows[0], startMs: span.startMs }).toEqual(stored);
    } finally {
      client.release();
    }
  });

  it('stores empty attributes as null and reads them back as {}', async () => {
    const span = modelSpan({ spanId: 'f6'.repeat(8), attributes: {} });
    const client = await db.pool.connect();
    try {
      await copySpans(client, [span]);
      const { rows } = await client.query(
        `select s.attributes, (select r.attributes from span_rows r where r.span_id = s.span_id) as stored
           from spans s where s.span_id = vigil_span_id($1)`,
        [span.spanId],
      );
      expect(rows).toEqual([{ attributes: {}, stored: null }]);
    } finally {
      client.release();
    }
  });

  it('stores a span without a tenant as NO_TENANT', async () => {
    const span = modelSpan({ spanId: 'd4'.repeat(8), tenantId: null });
    const client = await db.pool.connect();
    try {
      await copySpans(client, [span]);
      const { rows } = await client.query(`select tenant_id from spans where span_id = vigil_span_id($1)`, [
        span.spanId,
      ]);
      expect(rows[0].tenant_id).toBe(NO_TENANT);
    } finally {
      client.release();
    }
  });

  it('makes a wrapper the same way in TypeScript and in SQL', async () => {
    const span = modelSpan({ spanId: 'e5'.repeat(8) });
    const client = await db.pool.connect();
    try {
      await copySpans(client, [span]);
      await client.query(`update spans s set ${WRAPPER_SET_SQL} where s.span_id = vigil_span_id($1)`, [span.spanId]);
      const { rows } = await client.query(
        `select ${selectSpanFields(STORED_FIELDS)} from spans s where s.span_id = vigil_span_id($1)`,
        [span.spanId],
      );
      const wrapped = modelSpan({ spanId: span.spanId, startMs: span.startMs });
      asWrapper(wrapped);
      expect(wrapped).toMatchObject({ wrapper: true, ...WRAPPER_FIELDS });
      const { wrapper: _wrapper, ...expected } = wrapped;
      expect({ ...rows[0], startMs: span.startMs }).toEqual(expected);
    } finally {
      client.release();
    }
  });
});
