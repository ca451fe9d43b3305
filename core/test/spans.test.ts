import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeSpanRows,
  SPAN_COLUMNS,
  SPAN_FIELD_COLUMNS,
  type SpanField,
  selectSpanFields,
  spanRow,
} from '../src/spans/columns.ts';
import { asWrapper, NO_TENANT, type StoredSpan, WRAPPER_FIELDS } from '../src/spans/stored-span.ts';
import { copyRows } from '../src/db/copy-rows.ts';
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

describe('the stored span', () => {
  it('encodes one COPY field per column, in the column order', () => {
    const fields = spanRow(modelSpan()).replace(/\n$/, '').split('\t');
    expect(fields).toHaveLength(SPAN_COLUMNS.length);
    expect(fields[SPAN_COLUMNS.indexOf('trace_id')]).toBe('a1'.repeat(16));
    expect(fields[SPAN_COLUMNS.indexOf('service_name')]).toBe('shop');
    expect(fields[SPAN_COLUMNS.indexOf('cost_source')]).toBe('catalog');
  });

  it('reads back from Postgres exactly as it was written, field by field', async () => {
    const span = modelSpan();
    const client = await db.pool.connect();
    try {
      await copyRows(client, 'spans', SPAN_COLUMNS, encodeSpanRows([span], spanRow));
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

  it('stores a span without a tenant as NO_TENANT', async () => {
    const span = modelSpan({ spanId: 'd4'.repeat(8), tenantId: null });
    const client = await db.pool.connect();
    try {
      await copyRows(client, 'spans', SPAN_COLUMNS, encodeSpanRows([span], spanRow));
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
      await copyRows(client, 'spans', SPAN_COLUMNS, encodeSpanRows([span], spanRow));
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
