// The trace list reads spans newest first and stops once it has its traces, and reads a session's
// traces only between the session's first and last seen: both must list exactly the traces that
// grouping every span of the window would.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { SERVICE_CALLER, type Caller } from '../src/query/caller.ts';
import { readTraces } from '../src/query/read-traces.ts';
import { createTestDatabase, type TestDatabase, generateSpans } from '@vigil/testing';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = Math.floor(Date.now() / 60_000) * 60_000;
const window = { from: new Date(now - 4 * DAY), to: new Date(now + 60_000) };

let db: TestDatabase;
let projectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'trace-list')).id;
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId, fromMs: now - 3 * DAY, toMs: now, requests: 1500, seed: 11 }),
  );
  // One session that lasts an hour, two days ago, among sessions that last the whole three days.
  const short = generateSpans({ projectId, fromMs: now - 2 * DAY, toMs: now - 2 * DAY + HOUR, requests: 12, seed: 12 });
  await bulkLoadSpans(
    db.pool,
    short.map((span) => ({
      ...span,
      traceId: `f${span.traceId.slice(1)}`,
      sessionId: 'short-session',
      tenantId: 'tenant-short',
    })),
  );
}, 120_000);

afterAll(() => db.drop());

interface Asked {
  filters?: Record<string, string[]>;
  sessionId?: string;
  errorsOnly?: boolean;
  minDurationMs?: number;
  limit: number;
}

/**
 * What grouping every matching span of the window gives: each trace with its newest matching span,
 * newest first. The first `limit` of them may be swapped for another trace of the same newest span.
 */
async function grouped(asked: Asked): Promise<{ traceId: string; newest: number }[]> {
  // By the view's values, as a reader without the codes would: the list filters by codes.
  const params: unknown[] = [projectId, window.from, window.to];
  let where = '';
  for (const [column, values] of Object.entries(asked.filters ?? {})) {
    params.push(values);
    where += ` and coalesce(${column}, '') = any($${params.length}::text[])`;
  }
  if (asked.sessionId) {
    params.push(asked.sessionId);
    where += ` and session_id = $${params.length}`;
  }
  if (asked.errorsOnly) where += ` and status = 'error'`;
  if (asked.minDurationMs !== undefined) {
    params.push(asked.minDurationMs);
    where += ` and duration_ms >= $${params.length}`;
  }
  const { rows } = await db.pool.query<{ trace_id: string; newest: Date }>(
    `select vigil_trace_hex(trace_id) as trace_id, max(start_time) as newest from spans
      where project_id = $1 and start_time >= $2 and start_time < $3${where} group by trace_id order by newest desc`,
    params,
  );
  return rows.map((r) => ({ traceId: r.trace_id, newest: r.newest.getTime() }));
}

async function expectSameTraces(asked: Asked, caller: Caller = SERVICE_CALLER): Promise<number> {
  const all = await grouped(asked);
  const listed = await readTraces(db.pool, caller, { projectId, window, ...asked });
  expect(listed.length).toBe(Math.min(asked.limit, all.length));
  expect(new Set(listed.map((t) => t.traceId)).size).toBe(listed.length);
  const cut = all[Math.min(asked.limit, all.length) - 1]?.newest ?? Number.POSITIVE_INFINITY;
  const allowed = new Set(all.filter((t) => t.newest >= cut).map((t) => t.traceId));
  for (const trace of listed) expect(allowed.has(trace.traceId), trace.traceId).toBe(true);
  return listed.length;
}

describe('the trace list', () => {
  it('lists the traces with the newest matching spans, however few or many are asked for', async () => {
    for (const limit of [1, 7, 50, 500]) await expectSameTraces({ limit });
  });

  it('lists exactly those traces under filters that few spans match', async () => {
    expect(await expectSameTraces({ errorsOnly: true, limit: 50 })).toBeGreaterThan(5);
    expect(await expectSameTraces({ filters: { tenant_id: ['tenant-5'] }, limit: 20 })).toBeGreaterThan(5);
    expect(await expectSameTraces({ minDurationMs: 2000, limit: 30 })).toBeGreaterThan(5);
    expect(await expectSameTraces({ filters: { tenant_id: ['no-such-tenant'] }, limit: 20 })).toBe(0);
  });

  it('lists exactly those traces under filters on the dimensions spans store as combination codes', async () => {
    expect(await expectSameTraces({ filters: { model: ['gpt-4o'] }, limit: 50 })).toBeGreaterThan(5);
    expect(await expectSameTraces({ filters: { category: ['model'], status: ['error'] }, limit: 20 })).toBeGreaterThan(
      0,
    );
    // '' is the spans without the dimension (every span but model calls has no model).
    expect(await expectSameTraces({ filters: { model: [''], category: ['db', 'cache'] }, limit: 20 })).toBe(20);
    expect(
      await expectSameTraces({ filters: { model: ['gpt-4o'], tenant_id: ['tenant-5'] }, limit: 20 }),
    ).toBeGreaterThan(0);
    expect(await expectSameTraces({ errorsOnly: true, filters: { category: ['http'] }, limit: 20 })).toBeGreaterThan(0);
    // Errors only under a status filter without 'error', and a value no span has: nothing.
    expect(await expectSameTraces({ errorsOnly: true, filters: { status: ['ok'] }, limit: 20 })).toBe(0);
    expect(await expectSameTraces({ filters: { model: ['no-such-model'] }, limit: 20 })).toBe(0);
  });

  it("lists a session's traces from between its first and last seen, the same as from the whole window", async () => {
    expect(await expectSameTraces({ sessionId: 'short-session', limit: 200 })).toBe(12);
    const { rows } = await db.pool.query<{ session_id: string }>(
      `select session_id from sessions where project_id = $1 and session_id <> 'short-session' group by 1 order by 1 limit 5`,
      [projectId],
    );
    for (const { session_id } of rows)
      expect(await expectSameTraces({ sessionId: session_id, limit: 200 })).toBeGreaterThan(0);
    expect(await expectSameTraces({ sessionId: 'no-such-session', limit: 200 })).toBe(0);
  });

  it("shows a tenant-scoped caller a session's traces only if they are its tenant's", async () => {
    const scoped = (tenantId: string) =>
      readTraces(
        db.pool,
        { role: 'authenticated', projectId, tenantId },
        { projectId, window, sessionId: 'short-session', limit: 200 },
      );
    expect(await scoped('tenant-short')).toHaveLength(12);
    expect(await scoped('tenant-0')).toEqual([]);
  });
});
