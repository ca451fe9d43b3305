// ai_api_calls is a view (migration 20261211000000): the rows an app wrote itself, in
// app_ai_api_calls, and every counted model call from spans, stored once. Apps read and write it
// as they did when it was a table; members read it under the table's rule.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePool } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { asRole } from './support/as-role.ts';
import { migrateBefore } from './support/migrate-before.ts';

const VIEW_MIGRATION = '20261211000000';
const TRACE = 'c'.repeat(32);

async function insertSpan(
  pool: pg.Pool,
  projectId: string,
  tenantId: string,
  spanId: string,
  category = 'model',
  durationMs = 812.5,
  // Span ids were hex text before migration 20261213000000, and are integers after it.
  storedSpanId = 'vigil_span_id($4)',
): Promise<void> {
  await pool.query(
    `insert into spans (project_id, tenant_id, trace_id, span_id, name, start_time, duration_ms, category, status,
                        provider, model, input_tokens, output_tokens, cost_usd, cost_source, user_id)
     values ($1, $2, $3::uuid, ${storedSpanId}, 'chat gpt-4o', '2026-12-07T10:00:00Z', $6, $5, 'ok',
             'openai', 'gpt-4o', 100, 20, 0.00045, 'catalog', 'u-1')`,
    [projectId, tenantId, TRACE, spanId, category, durationMs],
  );
}

describe('the migration to one copy of each model call', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  it("keeps an app's own table, rows and columns, and drops Vigil's second copy of its spans", async () => {
    // The app's table before Vigil: as the example app creates it (a bigserial id, an integer
    // latency, a column of its own).
    await db.pool.query(
      `create table ai_api_calls (
         id bigserial primary key, user_id text not null, provider text not null, model text not null,
         input_tokens integer, output_tokens integer, latency_ms integer not null, estimated_cost numeric,
         status text not null, created_at timestamptz not null default now(), request_id text)`,
    );
    await migrateBefore(db.pool, VIEW_MIGRATION);
    const project = (await createProject(db.pool, 'before-the-view')).id;
    await db.pool.query(
      `insert into ai_api_calls (project_id, user_id, provider, model, latency_ms, estimated_cost, status, request_id)
       values ($1, 'app-user', 'openai', 'gpt-4o', 640, 0.01, 'ok', 'r-1')`,
      [project],
    );
    await insertSpan(db.pool, project, 'acme', '1000000000000001', 'model', 812.6, '$4');
    // The row the collector wrote for that span, as it did before.
    await db.pool.query(
      `insert into ai_api_calls (project_id, tenant_id, user_id, provider, model, latency_ms, status, trace_id, span_id,
                                 estimated_cost, cost_source)
       values ($1, 'acme', 'u-1', 'openai', 'gpt-4o', 813, 'ok', $2::uuid, '1000000000000001', 0.00045, 'catalog')`,
      [project, TRACE],
    );
    expect(await migratePool(db.pool)).toContain(VIEW_MIGRATION);

    const { rows } = await db.pool.query(
      `select id, user_id, tenant_id, span_id, request_id, estimated_cost::float8 as cost, latency_ms
         from ai_api_calls order by span_id nulls first`,
    );
    expect(rows).toEqual([
      {
        id: 1,
        user_id: 'app-user',
        tenant_id: 'unknown',
        span_id: null,
        request_id: 'r-1',
        cost: 0.01,
        latency_ms: 640,
      },
      // No bigint id can be derived from a span; its integer latency is the duration rounded.
      {
        id: null,
        user_id: 'u-1',
        tenant_id: 'acme',
        span_id: '1000000000000001',
        request_id: null,
        cost: 0.00045,
        latency_ms: 813,
      },
    ]);
    expect((await db.pool.query(`select user_id from app_ai_api_calls`)).rows).toEqual([{ user_id: 'app-user' }]);
    // The app keeps writing through the view, its bigserial id included.
    const { rows: written } = await db.pool.query(
      `insert into ai_api_calls (project_id, user_id, provider, model, latency_ms, status)
       values ($1, 'app-user', 'openai', 'gpt-4o', 20, 'ok') returning id`,
      [project],
    );
    expect(written).toEqual([{ id: 3 }]);
    // And changes its rows through the view by its own key (20261212000000_app_calls_by_key).
    const updated = await db.pool.query(`update ai_api_calls set status = 'error' where id = 3`);
    expect(updated.rowCount).toBe(1);
    expect((await db.pool.query(`select status from app_ai_api_calls where id = 3`)).rows).toEqual([
      { status: 'error' },
    ]);
    expect((await db.pool.query(`delete from ai_api_calls where id = 3`)).rowCount).toBe(1);
    expect((await db.pool.query(`select 1 from app_ai_api_calls where id = 3`)).rowCount).toBe(0);
    await expect(
      db.pool.query(`update ai_api_calls set status = 'error' where span_id = '1000000000000001'`),
    ).rejects.toThrow(/the call of span 1000000000000001 in trace .* it changes with its span/);
  });

  it("draws an identity id from the app's sequence, `generated always` included, and finds the row by it", async () => {
    const scratch = await createTestDatabase({ migrate: false });
    try {
      await scratch.pool.query(
        `create table ai_api_calls (
           id bigint generated always as identity primary key, user_id text not null, model text not null,
           latency_ms integer not null, status text not null, created_at timestamptz not null default now())`,
      );
      await migratePool(scratch.pool);
      const project = (await createProject(scratch.pool, 'identity-id')).id;
      const insert = () =>
        scratch.pool.query(
          `insert into ai_api_calls (project_id, user_id, model, latency_ms, status)
           values ($1, 'app-user', 'gpt-4o', 20, 'ok') returning id`,
          [project],
        );
      expect((await insert()).rows).toEqual([{ id: 1 }]);
      expect((await insert()).rows).toEqual([{ id: 2 }]);
      expect((await scratch.pool.query(`update ai_api_calls set status = 'error' where id = 2`)).rowCount).toBe(1);
      expect((await scratch.pool.query(`select id, status from app_ai_api_calls order by id`)).rows).toEqual([
        { id: 1, status: 'ok' },
        { id: 2, status: 'error' },
      ]);
    } finally {
      await scratch.drop();
    }
  });
});

describe('ai_api_calls', () => {
  let db: TestDatabase;
  let projectA: string;
  let projectB: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    projectA = (await createProject(db.pool, 'project-a')).id;
    projectB = (await createProject(db.pool, 'project-b')).id;
    await insertSpan(db.pool, projectA, 'acme', '1000000000000001');
    await insertSpan(db.pool, projectA, 'globex', '1000000000000002');
    await insertSpan(db.pool, projectB, 'acme', '2000000000000001');
    // A wrapper around a model call is stored as 'other': not a call of its own.
    await insertSpan(db.pool, projectA, 'acme', '1000000000000003', 'other');
    await db.pool.query(
      `insert into ai_api_calls (project_id, tenant_id, user_id, model) values ($1, 'acme', 'app-user', 'gpt-4o')`,
      [projectA],
    );
  });
  afterAll(() => db.drop());

  it("gives each model span as a call in the table's columns, with an id stable across reads", async () => {
    const read = () =>
      db.pool.query(
        `select id, project_id, tenant_id, user_id, provider, model, input_tokens, output_tokens, latency_ms,
                estimated_cost::float8 as estimated_cost, cost_source, status, created_at, trace_id, span_id
           from ai_api_calls where span_id = '1000000000000001'`,
      );
    const [first, second] = [(await read()).rows, (await read()).rows];
    expect(first).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        project_id: projectA,
        tenant_id: 'acme',
        user_id: 'u-1',
        provider: 'openai',
        model: 'gpt-4o',
        input_tokens: 100,
        output_tokens: 20,
        latency_ms: 812.5,
        estimated_cost: 0.00045,
        cost_source: 'catalog',
        status: 'ok',
        created_at: new Date('2026-12-07T10:00:00Z'),
        trace_id: 'cccccccc-cccc-cccc-cccc-cccccccccccc',
        span_id: '1000000000000001',
      },
    ]);
    expect(second[0].id).toBe(first[0].id);
    const spanIds = (await db.pool.query(`select span_id from ai_api_calls where project_id = $1`, [projectA])).rows;
    expect(spanIds.map((r) => r.span_id).sort()).toEqual([null, '1000000000000001', '1000000000000002'].sort());
  });

  it('follows its span: a tenant fixed up or a call re-priced changes the one row', async () => {
    await db.pool.query(
      `update spans set tenant_id = 'initech', cost_usd = 0.0009 where project_id = $1 and span_id = vigil_span_id('1000000000000002')`,
      [projectA],
    );
    const { rows } = await db.pool.query(
      `select tenant_id, estimated_cost::float8 as cost from ai_api_calls where span_id = '1000000000000002'`,
    );
    expect(rows).toEqual([{ tenant_id: 'initech', cost: 0.0009 }]);
    await db.pool.query(
      `update spans set tenant_id = 'globex', cost_usd = 0.00045 where project_id = $1 and span_id = vigil_span_id('1000000000000002')`,
      [projectA],
    );
  });

  it("takes an app's inserts, updates and deletes into its own table, with the table's defaults", async () => {
    const inserted = await db.pool.query(
      `insert into ai_api_calls (project_id, user_id, model, latency_ms) values ($1, 'writer', 'gpt-4o-mini', 40) returning id, tenant_id, created_at`,
      [projectA],
    );
    expect(inserted.rows[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenant_id: 'unknown',
      created_at: expect.any(Date),
    });
    const id = inserted.rows[0].id;
    expect((await db.pool.query(`select user_id from app_ai_api_calls where id = $1`, [id])).rows).toEqual([
      { user_id: 'writer' },
    ]);
    const updated = await db.pool.query(`update ai_api_calls set status = 'error' where id = $1`, [id]);
    expect(updated.rowCount).toBe(1);
    expect((await db.pool.query(`select status from app_ai_api_calls where id = $1`, [id])).rows).toEqual([
      { status: 'error' },
    ]);
    const deleted = await db.pool.query(`delete from ai_api_calls where id = $1`, [id]);
    expect(deleted.rowCount).toBe(1);
    expect((await db.pool.query(`select 1 from ai_api_calls where id = $1`, [id])).rowCount).toBe(0);
  });

  it('refuses to change a call Vigil stored from a span, saying why', async () => {
    await expect(
      db.pool.query(`update ai_api_calls set estimated_cost = 0 where span_id = '1000000000000001'`),
    ).rejects.toThrow(/is a model call Vigil stored from a span; it changes with its span/);
    await expect(db.pool.query(`delete from ai_api_calls where span_id = '1000000000000001'`)).rejects.toThrow(
      /changes with its span/,
    );
    expect(
      (await db.pool.query(`select 1 from spans where span_id = vigil_span_id('1000000000000001')`)).rowCount,
    ).toBe(1);
  });

  it("shows a member their project's rows of both kinds, a tenant token its tenant's, every role alike", async () => {
    const read = (claims: Record<string, unknown>) =>
      asRole(
        db.pool,
        'authenticated',
        claims,
        async (c) =>
          (await c.query(`select tenant_id, span_id from ai_api_calls order by tenant_id, span_id nulls first`)).rows,
      );
    for (const vigil_role of ['viewer', 'finance', 'operator', 'admin']) {
      expect(await read({ project_id: projectA, vigil_role })).toEqual([
        { tenant_id: 'acme', span_id: null },
        { tenant_id: 'acme', span_id: '1000000000000001' },
        { tenant_id: 'globex', span_id: '1000000000000002' },
      ]);
    }
    expect(await read({ project_id: projectA, tenant_id: 'globex' })).toEqual([
      { tenant_id: 'globex', span_id: '1000000000000002' },
    ]);
    expect(await read({ project_id: projectB })).toEqual([{ tenant_id: 'acme', span_id: '2000000000000001' }]);
    expect(await read({})).toEqual([]);
  });

  it('lets service_role read every project, and no member write', async () => {
    const n = await asRole(
      db.pool,
      'service_role',
      { role: 'service_role' },
      async (c) => (await c.query(`select count(*)::int as n from ai_api_calls`)).rows[0].n,
    );
    expect(n).toBe(4);
    await expect(
      asRole(db.pool, 'authenticated', { project_id: projectA }, (c) =>
        c.query(`insert into ai_api_calls (project_id, user_id) values ($1, 'x')`, [projectA]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(asRole(db.pool, 'anon', null, (c) => c.query('select * from ai_api_calls'))).rejects.toThrow(
      /permission denied/,
    );
  });

  it("does not run a caller's own condition on rows the rule hides (security_barrier)", async () => {
    // A function that tells the caller every row it is shown, as a leaky condition would.
    await db.pool.query(
      `create or replace function test_leak_row(tenant text, span text) returns boolean language plpgsql cost 0.0000001 as
       $$ begin raise notice 'saw % %', tenant, span; return true; end $$`,
    );
    const seen: string[] = [];
    await asRole(db.pool, 'authenticated', { project_id: projectB }, async (c) => {
      const listen = (n: { message?: string }) => seen.push(n.message ?? '');
      c.on('notice', listen);
      try {
        return (await c.query(`select 1 from ai_api_calls where test_leak_row(tenant_id, span_id)`)).rowCount;
      } finally {
        c.off('notice', listen);
      }
    });
    expect(seen).toEqual(['saw acme 2000000000000001']);
  });
});
