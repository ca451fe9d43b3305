// Supabase's public schema grants every table its owner makes to anon and authenticated (default
// privileges), and its Data API serves whatever they may read. Migrated that way, with a project
// and its span partitions made after, nothing in public that is not under row-level security may
// be left readable by either, save the views that apply their own read rule.

import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePool } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { asRole } from './support/as-role.ts';

// Views that read as their owner and filter by the caller's claims themselves (security_barrier),
// and spans, which reads as its caller (security_invoker) under span_rows' row-level security.
const OWN_READ_RULE = ['ai_api_calls', 'model_call_costs', 'spans'];

let db: TestDatabase;
let projectId: string;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  for (const kind of ['tables', 'sequences'])
    await db.pool.query(
      `alter default privileges in schema public grant all on ${kind} to anon, authenticated, service_role`,
    );
  // An app's own table, there before Vigil: its sequence is the app's to grant.
  await db.pool.query(
    'create table public.app_orders (id bigserial primary key); alter table public.app_orders enable row level security',
  );
  await migratePool(db.pool);
  projectId = (await createProject(db.pool, 'default-privileges')).id;
  await db.pool.query('select vigil_ensure_spans_partition($1::uuid, current_date)', [projectId]);
  await db.pool.query(
    `insert into spans (project_id, tenant_id, trace_id, span_id, name, service_name, start_time, category, status)
     select $1, 't', gen_random_uuid(), i, 'span', 'svc', now() - i * interval '1 second', 'http', 'ok' from generate_series(1, 10) i`,
    [projectId],
  );
}, 60_000);
afterAll(() => db.drop());

describe("Supabase's default privileges", () => {
  it('leave nothing outside row-level security to anon or authenticated', async () => {
    const { rows } = await db.pool.query<{ relname: string; anon: boolean; authenticated: boolean }>(
      `select c.relname, has_table_privilege('anon', c.oid, 'select') as anon,
              has_table_privilege('authenticated', c.oid, 'select') as authenticated
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and not c.relrowsecurity
          and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
        order by 1`,
    );
    expect(rows).toEqual(OWN_READ_RULE.map((relname) => ({ relname, anon: false, authenticated: true })));
  });

  it("leave no sequence of Vigil's to anon or authenticated (an app's own keep their grants)", async () => {
    const { rows } = await db.pool.query<{ sequence: string; table: string; anon: boolean; authenticated: boolean }>(
      `select s.relname as sequence, t.relname as table,
              has_sequence_privilege('anon', s.oid, 'usage, select, update') as anon,
              has_sequence_privilege('authenticated', s.oid, 'usage, select, update') as authenticated
         from pg_class s join pg_namespace n on n.oid = s.relnamespace
         join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid and d.deptype in ('a', 'i')
         join pg_class t on t.oid = d.refobjid
        where n.nspname = 'public' and s.relkind = 'S'
        order by 1`,
    );
    expect(rows.length).toBe(10);
    expect(rows.filter((r) => r.anon || r.authenticated)).toEqual([
      { sequence: 'app_orders_id_seq', table: 'app_orders', anon: true, authenticated: true },
    ]);
    await expect(
      asRole(db.pool, 'authenticated', { project_id: projectId, vigil_role: 'owner' }, (c) =>
        c.query(`select setval(pg_get_serial_sequence('public.audit_events', 'id'), 1)`),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('refuses a partition read directly; a member reads through the parent', async () => {
    const { rows } = await db.pool.query<{ leaf: string }>(
      `select c.relname as leaf from pg_partition_tree('span_rows') t join pg_class c on c.oid = t.relid
        where t.isleaf and c.relname ~ '_p\\d{8}$'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const member = { project_id: projectId, vigil_role: 'viewer' };
    for (const table of [...rows.map((r) => r.leaf), 'rollups_minute_c0'])
      await expect(asRole(db.pool, 'authenticated', member, (c) => c.query(`select * from ${table}`))).rejects.toThrow(
        /permission denied/,
      );
    const seen = await asRole(db.pool, 'authenticated', member, async (c) => {
      const { rows: spans } = await c.query('select count(*)::int as n from spans');
      return spans[0].n;
    });
    expect(seen).toBe(10);
  });
});
