// Member roles: the table in access/roles.ts is the one row-level security applies
// (vigil_role_can), the database refuses what a role may not read or change, and the API refuses a
// route before doing any work, saying which roles may.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAPABILITIES,
  type Capability,
  MEMBER_ROLES,
  type MemberRole,
  ROLE_WITHOUT_CLAIM,
  roleCan,
} from '../src/access/roles.ts';
import { createApiApp } from '../src/http/app.ts';
import { signToken } from '../src/http/auth.ts';
import { readRoutes } from '../src/http/read-routes.ts';
import { type RunningServer, serveApp } from '../src/http/serve.ts';
import { createIngestKey, createProject } from '../src/projects.ts';
import { type Caller, withCaller } from '../src/query/caller.ts';
import { readTrace } from '../src/query/read-traces.ts';
import { readUserModelCost } from '../src/query/read-user-cost.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import type { SpanRow } from '../src/spans/stored-span.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';

const SECRET = 'roles-test-secret-roles-test-secret-0123';
const now = Date.now();
const window = { from: new Date(now - 3_600_000), to: new Date(now + 60_000) };

let db: TestDatabase;
let projectId: string;
let server: RunningServer;

const member = (memberRole: MemberRole, tenantId?: string): Caller => ({
  role: 'authenticated',
  projectId,
  memberRole,
  ...(tenantId ? { tenantId } : {}),
});

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'roles')).id;
  await createIngestKey(db.pool, 'roles', 'app');
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId, fromMs: now - 1_800_000, toMs: now - 60_000, requests: 40, seed: 5 }),
  );
  await db.pool.query(
    `insert into audit_events (project_id, actor, action, target, origin) values ($1, 'cli:test', 'key.created', 'k', 'cli')`,
    [projectId],
  );
  server = await serveApp(createApiApp({ jwtSecret: SECRET, routes: readRoutes(db.pool) }), '127.0.0.1', 0);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function count(caller: Caller, sql: string): Promise<number> {
  return withCaller(db.pool, caller, async (client: pg.ClientBase) => Number((await client.query(sql)).rows[0].n));
}

describe('the role table', () => {
  it('is the same in Postgres as in access/roles.ts, for every role and capability', async () => {
    const { rows } = await db.pool.query<{ role: string; capability: Capability; can: boolean }>(
      `select r as role, c as capability, vigil_role_can(r, c) as can
         from unnest($1::text[]) r, unnest($2::text[]) c`,
      [[...MEMBER_ROLES, 'superuser', ''], [...CAPABILITIES]],
    );
    for (const row of rows) {
      const expected = (MEMBER_ROLES as readonly string[]).includes(row.role)
        ? roleCan(row.role as MemberRole, row.capability)
        : false;
      expect(row.can, `${row.role} ${row.capability}`).toBe(expected);
    }
  });

  it('gives a token without the claim what tokens could do before roles, and service_role everything', async () => {
    const claimRole = async (claims: object) => {
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
        return (await client.query('select vigil_claim_role() as r')).rows[0].r;
      } finally {
        await client.query('rollback');
        client.release();
      }
    };
    expect(await claimRole({ role: 'authenticated', project_id: projectId })).toBe(ROLE_WITHOUT_CLAIM);
    expect(await claimRole({ role: 'authenticated', project_id: projectId, vigil_role: 'finance' })).toBe('finance');
    expect(await claimRole({ role: 'service_role' })).toBe('admin');
  });
});

describe('row-level security by role', () => {
  it('keeps raw spans (trace attributes) from finance, and gives it cost per user from model_call_costs', async () => {
    expect(await count(member('viewer'), 'select count(*) as n from spans')).toBeGreaterThan(0);
    expect(await count(member('finance'), 'select count(*) as n from spans')).toBe(0);
    expect(await count(member('finance'), 'select count(*) as n from model_call_costs')).toBe(
      await count(member('viewer'), `select count(*) as n from spans where category = 'model'`),
    );
    const q = { projectId, window, limit: 100 };
    const forFinance = await readUserModelCost(db.pool, member('finance'), q);
    expect(forFinance.length).toBeGreaterThan(0);
    expect(forFinance).toEqual(await readUserModelCost(db.pool, member('admin'), q));
    // The view applies the tenant rule itself, as the policies do.
    const tenant = forFinance[0]!.userId!.replace(/-u\d+$/, '');
    const scoped = await readUserModelCost(db.pool, member('finance', tenant), q);
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.every((r) => r.userId?.startsWith(`${tenant}-`))).toBe(true);
    // And nobody reads another project through it.
    const other = (await createProject(db.pool, 'roles-other')).id;
    expect(
      await readUserModelCost(
        db.pool,
        { role: 'authenticated', projectId: other, memberRole: 'finance' },
        { ...q, projectId },
      ),
    ).toEqual([]);
  });

  it('shows ingest keys to admins only, and the audit log to every role but finance', async () => {
    const keys = 'select count(*) as n from ingest_keys';
    const audit = 'select count(*) as n from audit_events';
    expect(await count(member('admin'), keys)).toBe(1);
    for (const role of ['viewer', 'finance', 'operator'] as const) expect(await count(member(role), keys)).toBe(0);
    for (const role of ['viewer', 'operator', 'admin'] as const) expect(await count(member(role), audit)).toBe(1);
    expect(await count(member('finance'), audit)).toBe(0);
  });

  it('lets operators and admins create silences, and refuses viewers and finance', async () => {
    const silence = (caller: Caller) =>
      withCaller(
        db.pool,
        caller,
        (client) =>
          client.query(
            `insert into alert_silences (project_id, matchers, ends_at, created_by) values ($1, '{}'::jsonb, now() + interval '1 hour', 'test')`,
            [projectId],
          ),
        { write: true },
      );
    for (const role of ['operator', 'admin'] as const) await expect(silence(member(role))).resolves.toBeDefined();
    for (const role of ['viewer', 'finance'] as const)
      await expect(silence(member(role))).rejects.toMatchObject({ code: '42501' });
  });
});

describe('the API by role', () => {
  const post = async (path: string, memberRole: MemberRole | null, body: object = {}) => {
    const token = await signToken(
      { role: 'authenticated', projectId, ...(memberRole ? { memberRole } : {}), ttlSeconds: 600 },
      SECRET,
    );
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
  };

  it('refuses a route the role may not call with 403, saying which roles may', async () => {
    const traces = await post('/traces', 'finance', { window, limit: 5 });
    expect(traces.status).toBe(403);
    expect(traces.body.error).toEqual({
      code: 'forbidden',
      message: 'a finance cannot read traces: that needs the viewer, operator or admin role',
    });
    expect((await post('/audit', 'finance')).status).toBe(403);
    expect((await post('/sli', 'finance', { window, thresholdMs: 1000 })).status).toBe(403);
  });

  it('answers the routes a role may call', async () => {
    expect((await post('/budgets', 'finance')).status).toBe(200);
    expect((await post('/metrics', 'finance', { window, groupBy: ['tenant_id'] })).status).toBe(200);
    expect((await post('/traces', 'viewer', { window, limit: 5 })).status).toBe(200);
    expect((await post('/audit', 'viewer')).status).toBe(200);
    // A token minted before roles reads as it did.
    expect((await post('/traces', null, { window, limit: 5 })).status).toBe(200);
  });

  it('documents the roles of every operation', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-vigil-roles': string[] }>>;
    };
    expect(doc.paths['/api/v1/traces']!.post!['x-vigil-roles']).toEqual(['viewer', 'operator', 'admin']);
    expect(doc.paths['/api/v1/budgets']!.post!['x-vigil-roles']).toEqual(['viewer', 'finance', 'operator', 'admin']);
  });
});

describe('content in the trace view', () => {
  /**
   * One span stored in a project that captures content, shaped by `shape`; returns what each role
   * reads of its attributes through the trace view.
   */
  async function storedWithContent(name: string, shape: (span: SpanRow) => void) {
    const captured = (await createProject(db.pool, name)).id;
    await db.pool.query(`update projects set capture_content = true where id = $1`, [captured]);
    const [span] = generateSpans({
      projectId: captured,
      fromMs: now - 600_000,
      toMs: now - 60_000,
      requests: 1,
      seed: 9,
    });
    shape(span!);
    await bulkLoadSpans(db.pool, [span!]);
    return async (memberRole: MemberRole) =>
      (
        await readTrace(
          db.pool,
          { role: 'authenticated', projectId: captured, memberRole },
          { projectId: captured, traceId: span!.traceId },
        )
      ).find((s) => s.spanId === span!.spanId)!.attributes;
  }

  it('is shown to roles that may read it and hidden from the others', async () => {
    // As spans stored before content was kept apart hold it: inside their attributes.
    const attributesFor = await storedWithContent('roles-content', (span) => {
      span.attributes = { 'gen_ai.input.messages': '[{"role":"user","content":"my secret"}]', 'http.route': '/chat' };
    });
    expect((await attributesFor('operator'))['gen_ai.input.messages']).toContain('my secret');
    expect(await attributesFor('viewer')).toEqual({ 'http.route': '/chat' });
  });

  it('kept apart from the span (as the collector stores it) is returned only to roles that may read it', async () => {
    const attributesFor = await storedWithContent('roles-content-apart', (span) => {
      span.attributes = { 'http.route': '/chat' };
      span.content = { attributes: { 'gen_ai.input.messages': 'my secret' }, events: null };
    });
    expect(await attributesFor('operator')).toEqual({ 'http.route': '/chat', 'gen_ai.input.messages': 'my secret' });
    expect(await attributesFor('admin')).toEqual({ 'http.route': '/chat', 'gen_ai.input.messages': 'my secret' });
    expect(await attributesFor('viewer')).toEqual({ 'http.route': '/chat' });
  });
});
