// Row-level security decides what a caller sees, as on Supabase: the `authenticated` role with JWT
// claims project_id (and optionally tenant_id); `service_role` sees everything.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { asRole as asRoleIn } from './support/as-role.ts';

let db: TestDatabase;
let projectA: string;
let projectB: string;

const asRole = <T>(
  role: string,
  claims: Record<string, unknown> | null,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> => asRoleIn(db.pool, role, claims, work);

async function seedSpan(projectId: string, tenantId: string, spanId: string): Promise<void> {
  await db.pool.query(
    `insert into spans (project_id, tenant_id, trace_id, span_id, name, start_time, duration_ms, category, status)
     values ($1, $2, repeat('c', 32)::uuid, vigil_span_id($3), 'chat gpt-4o', now(), 12, 'model', 'ok')`,
    [projectId, tenantId, spanId],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  projectA = (await createProject(db.pool, 'project-a')).id;
  projectB = (await createProject(db.pool, 'project-b')).id;
  await seedSpan(projectA, 'acme', '1000000000000001');
  await seedSpan(projectA, 'globex', '1000000000000002');
  await seedSpan(projectB, 'acme', '2000000000000001');
});
afterAll(() => db.drop());

// ai_api_calls is a view: these model spans are its rows (and app rows, none here).
const TABLES = ['spans', 'ai_api_calls'];

describe('row-level security', () => {
  it('shows a project member only their project, every tenant of it', async () => {
    for (const table of TABLES) {
      const rows = await asRole(
        'authenticated',
        { role: 'authenticated', project_id: projectA },
        async (c) => (await c.query(`select project_id, tenant_id from ${table} order by tenant_id`)).rows,
      );
      expect(rows).toEqual([
        { project_id: projectA, tenant_id: 'acme' },
        { project_id: projectA, tenant_id: 'globex' },
      ]);
    }
    const projects = await asRole(
      'authenticated',
      { project_id: projectA },
      async (c) => (await c.query('select name from projects')).rows,
    );
    expect(projects).toEqual([{ name: 'project-a' }]);
  });

  it('shows a tenant-scoped token only its tenant', async () => {
    for (const table of TABLES) {
      const rows = await asRole(
        'authenticated',
        { project_id: projectA, tenant_id: 'acme' },
        async (c) => (await c.query(`select project_id, tenant_id from ${table}`)).rows,
      );
      expect(rows).toEqual([{ project_id: projectA, tenant_id: 'acme' }]);
    }
  });

  it('shows nothing without claims, with a malformed project id, or to anon', async () => {
    for (const claims of [null, {}, { project_id: 'not-a-uuid' }, { project_id: '' }]) {
      const n = await asRole(
        'authenticated',
        claims,
        async (c) => (await c.query('select count(*)::int as n from spans')).rows[0].n,
      );
      expect(n).toBe(0);
    }
    await expect(asRole('anon', null, (c) => c.query('select * from spans'))).rejects.toThrow(/permission denied/);
  });

  it('does not let a member write, nor read key hashes', async () => {
    await expect(
      asRole('authenticated', { project_id: projectA }, (c) => c.query(`update spans set tenant_id = 'x'`)),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asRole('authenticated', { project_id: projectA }, (c) => c.query('select key_hash from ingest_keys')),
    ).rejects.toThrow(/permission denied/);
  });

  it('does not let a member bypass RLS through a partition', async () => {
    const { rows } = await db.pool.query(`select tableoid::regclass::text as part from span_rows limit 1`);
    await expect(
      asRole('authenticated', { project_id: projectA }, (c) => c.query(`select * from ${rows[0].part}`)),
    ).rejects.toThrow(/permission denied/);
  });

  it('lets service_role see every project', async () => {
    const n = await asRole(
      'service_role',
      null,
      async (c) => (await c.query('select count(*)::int as n from spans')).rows[0].n,
    );
    expect(n).toBe(3);
  });

  it('reads claims exactly like Supabase auth.jwt()', async () => {
    const jwt = await asRole(
      'authenticated',
      { sub: '5f1e0c1a-7a0b-4f55-9d3a-2f4f6a1b2c3d', project_id: projectA },
      async (c) => (await c.query(`select auth.jwt() ->> 'project_id' as p, auth.uid()::text as uid`)).rows[0],
    );
    expect(jwt).toEqual({ p: projectA, uid: '5f1e0c1a-7a0b-4f55-9d3a-2f4f6a1b2c3d' });
  });
});

describe('captured content (span_contents)', () => {
  const spanContent = (claims: Record<string, unknown>) =>
    asRole(
      'authenticated',
      claims,
      async (c) =>
        (
          await c.query<{ span_id: string }>(
            'select vigil_span_hex(span_id) as span_id from span_contents order by span_id',
          )
        ).rows,
    );

  it('is read only by roles that may read content, and only where they may read the span', async () => {
    for (const spanId of ['1000000000000001', '1000000000000002'])
      await db.pool.query(
        `insert into span_contents (project_id, trace_id, span_id, start_time, attributes)
         values ($1, repeat('c', 32)::uuid, vigil_span_id($2), now(), '{"gen_ai.input.messages": "my secret"}')`,
        [projectA, spanId],
      );
    const both = [{ span_id: '1000000000000001' }, { span_id: '1000000000000002' }];
    // A token without a role claim acts as an operator; admins read content too.
    expect(await spanContent({ project_id: projectA })).toEqual(both);
    expect(await spanContent({ project_id: projectA, vigil_role: 'operator' })).toEqual(both);
    expect(await spanContent({ project_id: projectA, vigil_role: 'admin' })).toEqual(both);
    // The span's tenant decides, through the spans' own policy.
    expect(await spanContent({ project_id: projectA, tenant_id: 'globex' })).toEqual([{ span_id: '1000000000000002' }]);
    for (const role of ['viewer', 'finance'])
      expect(await spanContent({ project_id: projectA, vigil_role: role })).toEqual([]);
    expect(await spanContent({ project_id: projectB })).toEqual([]);
    await expect(
      asRole('authenticated', { project_id: projectA }, (c) => c.query(`delete from span_contents`)),
    ).rejects.toThrow(/permission denied/);
  });
});

describe('log records kept with their span (span_logs)', () => {
  const spanLogs = (claims: Record<string, unknown>) =>
    asRole(
      'authenticated',
      claims,
      async (c) =>
        (
          await c.query<{ span_id: string; content: boolean }>(
            'select vigil_span_hex(span_id) as span_id, content from span_logs order by span_id, content',
          )
        ).rows,
    );

  it('shows a record where its span is visible, and its content only to roles that may read content', async () => {
    for (const spanId of ['1000000000000001', '1000000000000002'])
      for (const content of [false, true])
        await db.pool.query(
          `insert into span_logs (project_id, trace_id, span_id, at, digest, content, name, body)
           values ($1, repeat('c', 32)::uuid, vigil_span_id($2), now(), '\\x01', $3, 'gen_ai.choice', $4)`,
          [projectA, spanId, content, content ? '"my secret"' : null],
        );
    const plain = (spanId: string) => ({ span_id: spanId, content: false });
    const withContent = (spanId: string) => ({ span_id: spanId, content: true });
    const all = [
      plain('1000000000000001'),
      withContent('1000000000000001'),
      plain('1000000000000002'),
      withContent('1000000000000002'),
    ];
    expect(await spanLogs({ project_id: projectA })).toEqual(all);
    expect(await spanLogs({ project_id: projectA, vigil_role: 'admin' })).toEqual(all);
    // The span's tenant decides, through the spans' own policy.
    expect(await spanLogs({ project_id: projectA, tenant_id: 'globex' })).toEqual([
      plain('1000000000000002'),
      withContent('1000000000000002'),
    ]);
    expect(await spanLogs({ project_id: projectA, vigil_role: 'viewer' })).toEqual([
      plain('1000000000000001'),
      plain('1000000000000002'),
    ]);
    // Finance reads no spans, so no records of them.
    expect(await spanLogs({ project_id: projectA, vigil_role: 'finance' })).toEqual([]);
    expect(await spanLogs({ project_id: projectB })).toEqual([]);
    await expect(
      asRole('authenticated', { project_id: projectA }, (c) =>
        c.query(
          `insert into span_logs (project_id, trace_id, span_id, at, digest) values ($1, repeat('c', 32)::uuid, 1, now(), '\\x02')`,
          [projectA],
        ),
      ),
    ).rejects.toThrow(/permission denied|row-level security/);
  });
});
