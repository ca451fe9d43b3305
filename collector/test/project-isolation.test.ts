// One project's bad values never fail another project's requests. Group commit mixes requests
// from any project in one transaction; values that cannot be stored are caught before COPY, and a
// batch the database still refuses is written again request by request, so only the request at
// fault is refused, and no request is answered 500 after some of its spans were committed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { chatAttributes, otlpJsonBody, postJson } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector({ VIGIL_WRITER_LANES: 2 });
  // A real refusal by Postgres that no check before COPY knows about: spans named so fail the
  // batch they are in (SQLSTATE 23514).
  await t.db.pool.query(`alter table span_rows add constraint refuse_for_test check (name <> 'refused-by-postgres')`);
});
afterAll(() => t.close());

interface ExportAnswer {
  status: number;
  body: { partialSuccess?: { rejectedSpans?: number | string; errorMessage?: string }; message?: string };
}

async function send(key: string, body: string): Promise<ExportAnswer> {
  const response = await postJson(t.url, key, body);
  return { status: response.status, body: (await response.json()) as ExportAnswer['body'] };
}

function goodRequest(traceId: string, n: number): string {
  return otlpJsonBody(
    Array.from({ length: n }, (_, i) => ({
      traceId,
      spanId: randomHex(8),
      name: `chat ${i}`,
      attributes: chatAttributes('gpt-4o-mini', 100, 20, { 'tenant.id': 'acme' }),
    })),
  );
}

/** Each poison of the report, as project A sends it. */
function poisonRequests(): { name: string; body: string }[] {
  const base = { traceId: randomHex(16), name: 'chat' };
  const raw = (span: Record<string, unknown>) =>
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const now = String(BigInt(Date.now()) * 1_000_000n);
  return [
    {
      name: 'a token count out of range for integer, as a string',
      body: otlpJsonBody([
        {
          ...base,
          spanId: randomHex(8),
          attributes: chatAttributes('gpt-4o', 100, 20, { 'gen_ai.usage.input_tokens': '3000000000' }),
        },
      ]),
    },
    {
      name: 'a token count sent as doubleValue 1e21',
      body: raw({
        traceId: randomHex(16),
        spanId: randomHex(8),
        name: 'chat',
        startTimeUnixNano: now,
        endTimeUnixNano: now,
        attributes: [
          { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
          { key: 'gen_ai.usage.input_tokens', value: { doubleValue: 1e21 } },
        ],
      }),
    },
    {
      name: 'a start time before 1970',
      body: raw({
        traceId: randomHex(16),
        spanId: randomHex(8),
        name: 'x',
        startTimeUnixNano: '-99999999999999999999',
      }),
    },
    {
      name: 'a span Postgres itself refuses',
      body: otlpJsonBody([{ traceId: randomHex(16), spanId: randomHex(8), name: 'refused-by-postgres' }]),
    },
  ];
}

async function storedCount(projectId: string, traceIds: string[]): Promise<{ spans: number; distinct: number }> {
  const { rows } = await t.db.pool.query<{ spans: number; distinct: number }>(
    `select count(*)::int as spans, count(distinct (trace_id, span_id))::int as distinct
     from spans where project_id = $1 and trace_id = any($2)`,
    [projectId, traceIds],
  );
  return rows[0]!;
}

describe('poison from one project, good traffic from another, in the same batches', () => {
  it('answers every request of B 200 and stores each of its spans once, while A is told what was wrong', async () => {
    // Hold the writer so that every request below queues up and lands in the same batches.
    const blocker = await t.db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const traceIds = Array.from({ length: 30 }, () => randomHex(16));
    const good = traceIds.map((traceId) => send(t.keyB, goodRequest(traceId, 30)));
    const poisons = poisonRequests();
    const bad = poisons.map((p) => send(t.keyA, p.body));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.query('rollback');
    blocker.release();

    const goodAnswers = await Promise.all(good);
    expect(goodAnswers.map((a) => a.status)).toEqual(traceIds.map(() => 200));
    for (const answer of goodAnswers) expect(answer.body.partialSuccess?.rejectedSpans ?? 0).toBe(0);
    expect(await storedCount(t.projectB, traceIds)).toEqual({ spans: 900, distinct: 900 });

    const [tooLarge, tooLargeDouble, before1970, refused] = await Promise.all(bad);
    expect(tooLarge!.status).toBe(200);
    expect(tooLarge!.body.partialSuccess?.errorMessage).toContain('inputTokens');
    expect(tooLargeDouble!.status).toBe(200);
    expect(tooLargeDouble!.body.partialSuccess?.errorMessage).toContain('inputTokens');
    expect(before1970!.status).toBe(200);
    expect(Number(before1970!.body.partialSuccess?.rejectedSpans)).toBe(1);
    expect(before1970!.body.partialSuccess?.errorMessage).toContain('outside the years 1970-9999');
    expect(refused!.status).toBe(400);
    expect(refused!.body.message).toContain('refuse_for_test');

    // The cleared counts are unknown (null), never zero, and the span is still there.
    const { rows } = await t.db.pool.query(
      `select input_tokens, cost_usd from spans where project_id = $1 and name = 'chat'`,
      [t.projectA],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toEqual({ input_tokens: null, cost_usd: null });
  });

  it('answers a request with some refused spans 200 with a partial success when others were stored', async () => {
    // Spans of one request spread over both lanes (by trace id): the refused ones fail only theirs.
    const traceIds = Array.from({ length: 16 }, () => randomHex(16));
    const body = otlpJsonBody(
      traceIds.map((traceId, i) => ({
        traceId,
        spanId: randomHex(8),
        name: i === 0 ? 'refused-by-postgres' : 'fine',
      })),
    );
    const answer = await send(t.keyA, body);
    const stored = await storedCount(t.projectA, traceIds);
    if (stored.spans === 0) {
      expect(answer.status).toBe(400);
    } else {
      expect(answer.status).toBe(200);
      expect(Number(answer.body.partialSuccess?.rejectedSpans)).toBe(16 - stored.spans);
      expect(answer.body.partialSuccess?.errorMessage).toContain('refused by the database');
    }
    expect(answer.status).not.toBe(500);
  });
});
