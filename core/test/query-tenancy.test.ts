// Row-level security decides what every query path returns: a member sees its project, a
// tenant-scoped token one tenant, and the HTTP API refuses forged and expired tokens.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { enforceRetention } from '../src/rollups/retention.ts';
import { readBudgets } from '../src/query/read-budgets.ts';
import { readMetrics, readSli } from '../src/query/read-metrics.ts';
import { readCostByUser, readSessionCostByTenant, readTopSessions } from '../src/query/read-sessions.ts';
import { readTrace, readTraces } from '../src/query/read-traces.ts';
import { SERVICE_CALLER, type Caller } from '../src/query/caller.ts';
import { createApiApp } from '../src/http/app.ts';
import { signToken } from '../src/http/auth.ts';
import { readRoutes } from '../src/http/read-routes.ts';
import { serveApp, type RunningServer } from '../src/http/serve.ts';
import { createTestDatabase, type TestDatabase, generateSpans } from '@vigil/testing';

const DAY = 86_400_000;
const now = Math.floor(Date.now() / 60_000) * 60_000;
const SECRET = 'test-secret-with-at-least-32-characters!!';

let db: TestDatabase;
let a: string;
let b: string;
let server: RunningServer;
const window = { from: new Date(now - 6 * DAY), to: new Date(now + 60_000) };
// From the start of that day: every day's partition has spans, whatever the time of day (a run just
// before midnight had none in the first day's, and retention dropped one partition fewer).
const fiveDaysAgo = Math.floor((now - 5 * DAY) / DAY) * DAY;

beforeAll(async () => {
  db = await createTestDatabase();
  a = (await createProject(db.pool, 'tenancy-a')).id;
  b = (await createProject(db.pool, 'tenancy-b')).id;
  await db.pool.query(`update rollup_progress set built_until = $1`, [
    new Date(Math.floor((now - 6 * DAY) / DAY) * DAY),
  ]);
  await bulkLoadSpans(db.pool, generateSpans({ projectId: a, fromMs: fiveDaysAgo, toMs: now, requests: 800, seed: 1 }));
  await bulkLoadSpans(db.pool, generateSpans({ projectId: b, fromMs: fiveDaysAgo, toMs: now, requests: 400, seed: 2 }));
  await compactRollups(db.pool, { nowMs: now });
  // Some deltas stay pending, so that path is covered too.
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId: a, fromMs: now - 3_600_000, toMs: now, requests: 50, seed: 3 }),
  );
  await db.pool.query(
    `insert into budgets (project_id, tenant_id, monthly_usd) values ($1, '*', 100), ($1, 'tenant-0', 10), ($1, 'tenant-1', 10)`,
    [a],
  );
  server = await serveApp(createApiApp({ jwtSecret: SECRET, routes: readRoutes(db.pool) }), '127.0.0.1', 0);
}, 120_000);

afterAll(async () => {
  await server.close();
  await db.drop();
});

type ApiBody = { data: any; error: { code: string; message: string } };
const read = async (response: Response): Promise<ApiBody> => (await response.json()) as ApiBody;

const member = (projectId: string): Caller => ({ role: 'authenticated', projectId });
const tenantOf = (projectId: string, tenantId: string): Caller => ({ role: 'authenticated', projectId, tenantId });

const roundFloats = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
    ),
  );

/** Every query path, as one caller, for project A. */
async function everyPath(caller: Caller) {
  const traces = await readTraces(db.pool, caller, { projectId: a, window, limit: 500 });
  const anyTraceOfA = (await readTraces(db.pool, SERVICE_CALLER, { projectId: a, window, limit: 1 }))[0]!.traceId;
  return {
    byTenant: await readMetrics(db.pool, caller, { projectId: a, window, groupBy: ['tenant_id'] }),
    byModel: await readMetrics(db.pool, caller, {
      projectId: a,
      window,
      groupBy: ['model'],
      filters: { category: ['model'] },
    }),
    total: await readMetrics(db.pool, caller, { projectId: a, window }),
    exactByTenant: await readMetrics(db.pool, caller, { projectId: a, window, groupBy: ['tenant_id'], exact: true }),
    sli: await readSli(db.pool, caller, { projectId: a, window, thresholdMs: 1000 }),
    sessions: await readTopSessions(db.pool, caller, { projectId: a, window, limit: 1000 }),
    users: await readCostByUser(db.pool, caller, { projectId: a, window, limit: 1000 }),
    sessionCost: await readSessionCostByTenant(db.pool, caller, { projectId: a, window, limit: 1000 }),
    budgets: await readBudgets(db.pool, caller, { projectId: a }),
    traces,
    trace: await readTrace(db.pool, caller, { projectId: a, traceId: anyTraceOfA }),
  };
}

describe('row-level security through every query path', () => {
  it('shows a member of another project nothing of this one', async () => {
    const seen = await everyPath(member(b));
    expect(seen.byTenant).toEqual([]);
    expect(seen.byModel).toEqual([]);
    expect(seen.total).toEqual([]);
    expect(seen.exactByTenant).toEqual([]);
    expect(seen.sli.total).toBe(0);
    expect(seen.sessions).toEqual([]);
    expect(seen.users).toEqual([]);
    expect(seen.sessionCost).toEqual([]);
    expect(seen.budgets.budgets).toEqual([]);
    expect(seen.traces).toEqual([]);
    expect(seen.trace).toEqual([]);
  });

  it('shows a member all of its project, the same as an admin', async () => {
    const mine = await everyPath(member(a));
    const admin = await everyPath(SERVICE_CALLER);
    // Float sums may differ in the last bit when RLS changes the plan and so the order of addition.
    expect(roundFloats(mine.byTenant)).toEqual(roundFloats(admin.byTenant));
    expect(roundFloats(mine.byModel)).toEqual(roundFloats(admin.byModel));
    expect(mine.sessions).toEqual(admin.sessions);
    expect(roundFloats(mine.sessionCost)).toEqual(roundFloats(admin.sessionCost));
    // Cost per session is the tenant's sessions, whole, summed and divided: the session list agrees.
    for (const tenant of admin.sessionCost) {
      const its = admin.sessions.filter((s) => s.tenantId === tenant.tenantId);
      expect(tenant.sessions).toBe(its.length);
      expect(tenant.costUsd).toBeCloseTo(
        its.reduce((sum, s) => sum + s.costUsd, 0),
        9,
      );
    }
    expect(mine.budgets).toEqual(admin.budgets);
    expect(mine.byTenant.length).toBeGreaterThan(2);
  });

  it('shows a tenant-scoped token its own tenant only, with totals equal to that tenant exactly', async () => {
    const seen = await everyPath(tenantOf(a, 'tenant-0'));
    expect(seen.byTenant.map((p) => p.group.tenant_id)).toEqual(['tenant-0']);
    expect(seen.exactByTenant.map((p) => p.group.tenant_id)).toEqual(['tenant-0']);
    const exact = (
      await readMetrics(db.pool, SERVICE_CALLER, {
        projectId: a,
        window,
        filters: { tenant_id: ['tenant-0'] },
        exact: true,
      })
    )[0]!;
    // Project-wide questions must not be answered from the cuboids that sum over all tenants.
    expect(seen.total[0]!.spans).toBe(exact.spans);
    expect(seen.total[0]!.costUsd).toBeCloseTo(exact.costUsd, 9);
    expect(seen.byModel.reduce((n, p) => n + p.modelCalls, 0)).toBe(exact.modelCalls);
    expect(seen.sli.total).toBe(exact.spans);
    expect(new Set(seen.sessions.map((s) => s.tenantId))).toEqual(new Set(['tenant-0']));
    expect(seen.users.every((u) => u.userId?.startsWith('tenant-0-'))).toBe(true);
    expect(seen.sessionCost.map((t) => t.tenantId)).toEqual(['tenant-0']);
    expect(seen.budgets.budgets.map((x) => x.tenantId)).toEqual(['tenant-0']);
    expect(seen.traces.length).toBeGreaterThan(0);
    expect(seen.traces.every((t) => t.tenantId === 'tenant-0')).toBe(true);
    expect(seen.trace.every((s) => s.tenantId === 'tenant-0')).toBe(true);
  });
});

describe('the HTTP API', () => {
  const post = (path: string, token: string | null, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('answers a member token from the query API, filling in its project', async () => {
    const token = await signToken({ role: 'authenticated', projectId: a, ttlSeconds: 60 }, SECRET);
    const response = await post('/api/v1/metrics', token, { window, groupBy: ['tenant_id'] });
    expect(response.status).toBe(200);
    const { data } = await read(response);
    expect(data).toEqual(
      JSON.parse(
        JSON.stringify(await readMetrics(db.pool, member(a), { projectId: a, window, groupBy: ['tenant_id'] })),
      ),
    );
  });

  it('gives a tenant token only its tenant, and another project nothing', async () => {
    const tenantToken = await signToken(
      { role: 'authenticated', projectId: a, tenantId: 'tenant-1', ttlSeconds: 60 },
      SECRET,
    );
    const { data } = await read(await post('/api/v1/metrics', tenantToken, { window, groupBy: ['tenant_id'] }));
    expect(data.map((p: { group: { tenant_id: string } }) => p.group.tenant_id)).toEqual(['tenant-1']);
    const otherProject = await signToken({ role: 'authenticated', projectId: b, ttlSeconds: 60 }, SECRET);
    const other = await read(await post('/api/v1/sessions/top', otherProject, { projectId: a, window }));
    expect(other.data).toEqual([]);
  });

  it('refuses missing, forged, tampered, expired and role-less tokens with 401', async () => {
    const forged = await signToken(
      { role: 'service_role', ttlSeconds: 60 },
      'not-the-secret-but-just-as-long-as-the-real-one',
    );
    const valid = await signToken({ role: 'authenticated', projectId: b, ttlSeconds: 60 }, SECRET);
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, project_id: a })).toString('base64url')}.${signature}`;
    const expired = await new SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(SECRET));
    const noExpiry = await new SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    const noRole = await new SignJWT({ project_id: a })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ role: 'service_role', exp: 9999999999 })).toString('base64url')}.`;
    const cases: [string | null, string][] = [
      [null, 'missing bearer token'],
      [forged, 'invalid token'],
      [tampered, 'invalid token'],
      [expired, 'token expired'],
      [noExpiry, 'token rejected'],
      [noRole, 'token has no usable role'],
      [unsigned, 'invalid token'],
    ];
    for (const [token, message] of cases) {
      const response = await post('/api/v1/metrics', token, { projectId: a, window });
      expect(response.status).toBe(401);
      expect((await read(response)).error.message).toContain(message);
    }
  });

  it('explains a bad query with 400, a wrong method with 405 and an unknown path with 404', async () => {
    const token = await signToken({ role: 'service_role', ttlSeconds: 60 }, SECRET);
    const bad = await post('/api/v1/metrics', token, { projectId: a, window: { from: window.to, to: window.from } });
    expect(bad.status).toBe(400);
    expect((await read(bad)).error.message).toMatch(/window.to must be after window.from/);
    const notATime = await post('/api/v1/metrics', token, {
      projectId: a,
      window: { from: 'yesterday', to: window.to },
    });
    expect((await read(notATime)).error.message).toBe(
      'invalid query: window.from: must be a time: an ISO 8601 string such as 2026-11-23T10:00:00Z, or epoch milliseconds',
    );
    const unknownDimension = await post('/api/v1/metrics', token, { projectId: a, window, groupBy: ['password'] });
    expect(unknownDimension.status).toBe(400);
    expect(
      (await fetch(`${server.url}/api/v1/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(405);
    expect((await post('/api/v1/nope', token, {})).status).toBe(404);
    const notJson = await fetch(`${server.url}/api/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('retention', () => {
  it('drops whole expired daily partitions of one project and its model calls, and keeps its rollups', async () => {
    const old = { from: new Date(now - 6 * DAY), to: new Date(now - 3 * DAY) };
    const before = await readMetrics(db.pool, SERVICE_CALLER, { projectId: a, window: old });
    const rawBefore = await readMetrics(db.pool, SERVICE_CALLER, { projectId: a, window: old, exact: true });
    expect(rawBefore[0]!.spans).toBeGreaterThan(0);
    // Model calls are their spans' rows (ai_api_calls is a view): they go a whole day at a time,
    // with the partitions that end before the 2-day retention.
    const calls = async (project: string, older: boolean) =>
      Number(
        (
          await db.pool.query(
            `select count(*) as n from ai_api_calls where project_id = $1 and (created_at < $2) = $3 and trace_id is not null`,
            [project, new Date(Math.floor((now - 2 * DAY) / DAY) * DAY), older],
          )
        ).rows[0].n,
      );
    const [oldCallsA, recentCallsA, oldCallsB] = [await calls(a, true), await calls(a, false), await calls(b, true)];
    expect(Math.min(oldCallsA, recentCallsA, oldCallsB)).toBeGreaterThan(0);
    // A row the app wrote itself (no trace id) is the app's to keep, however old.
    await db.pool.query(`insert into ai_api_calls (project_id, user_id, created_at) values ($1, 'app-row', $2)`, [
      a,
      new Date(now - 4 * DAY),
    ]);
    // Captured content goes with its span: an old span's of project A, a recent one's, and B's.
    const contentOf = async (project: string, ageDays: number) => {
      const span = (
        await db.pool.query(
          `select trace_id, span_id::text, start_time from spans where project_id = $1 and start_time < $2 order by start_time desc limit 1`,
          [project, new Date(now - ageDays * DAY)],
        )
      ).rows[0];
      await db.pool.query(
        `insert into span_contents (project_id, trace_id, span_id, start_time, attributes) values ($1, $2, $3, $4, '{}')`,
        [project, span.trace_id, span.span_id, span.start_time],
      );
      // And so do the log records kept with it.
      await db.pool.query(
        `insert into span_logs (project_id, trace_id, span_id, at, digest) values ($1, $2, $3, $4, '\\x01')`,
        [project, span.trace_id, span.span_id, span.start_time],
      );
    };
    await contentOf(a, 4);
    await contentOf(a, 0);
    await contentOf(b, 4);
    await db.pool.query(`update projects set raw_retention_days = 2 where id = $1`, [a]);
    // Metric series: one silent for longer than minute rollups are kept goes, a recent one stays.
    await db.pool.query(
      `insert into metric_series (project_id, series_key, start_ms, time_ms, value, sum, seen_at)
       values ($1, 'silent', 0, 1, 1, 1, $2), ($1, 'recent', 0, 1, 1, 1, $3)`,
      [a, new Date(now - 36 * DAY), new Date(now - DAY)],
    );
    const result = await enforceRetention(db.pool, { minuteRollupDays: 35, hourRollupDays: 35, rollupDays: 397 }, now);
    expect(result.deletedMetricSeries).toBe(1);
    expect(result.deletedContents).toBe(1);
    expect(result.deletedSpanLogs).toBe(1);
    for (const table of ['span_contents', 'span_logs'])
      expect(
        (await db.pool.query(`select project_id from ${table} order by project_id = $1`, [a])).rows.map(
          (r) => r.project_id,
        ),
      ).toEqual([b, a]);
    expect((await db.pool.query(`select series_key from metric_series where project_id = $1`, [a])).rows).toEqual([
      { series_key: 'recent' },
    ]);
    expect([await calls(a, true), await calls(a, false), await calls(b, true)]).toEqual([0, recentCallsA, oldCallsB]);
    expect((await db.pool.query(`select 1 from ai_api_calls where user_id = 'app-row'`)).rowCount).toBe(1);
    expect(result.droppedPartitions.length).toBeGreaterThanOrEqual(3);
    expect(result.droppedPartitions.every((name) => name.startsWith(`spans_${a.replaceAll('-', '')}_p`))).toBe(true);
    expect(await readMetrics(db.pool, SERVICE_CALLER, { projectId: a, window: old, exact: true })).toEqual([]);
    expect(await readMetrics(db.pool, SERVICE_CALLER, { projectId: a, window: old })).toEqual(before);
    // Project B keeps 30 days: untouched.
    expect(
      (await readMetrics(db.pool, SERVICE_CALLER, { projectId: b, window: old, exact: true }))[0]!.spans,
    ).toBeGreaterThan(0);
  });
});
