import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());

describe('migrator', () => {
  it('applies every migration once, records it like the Supabase CLI, and is safe to run twice', async () => {
    const client = await db.pool.connect();
    try {
      const first = await migrate(client);
      expect(first.length).toBeGreaterThanOrEqual(4);
      const second = await migrate(client);
      expect(second).toEqual([]);
      const { rows } = await client.query('select version, name from supabase_migrations.schema_migrations order by version');
      expect(rows.map((r) => r.version)).toEqual(first);
      expect(rows[0].name).toBe('supabase_compat');
    } finally {
      client.release();
    }
  });

  it('runs concurrently from two processes without applying anything twice', async () => {
    const [a, b] = await Promise.all([db.pool.connect(), db.pool.connect()]);
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      expect(results.flat()).toEqual([]);
    } finally {
      a.release();
      b.release();
    }
  });

  it('creates daily span partitions ahead, and a default partition for far-off clocks', async () => {
    const { rows } = await db.pool.query(
      `select count(*)::int as n from pg_inherits where inhparent = 'public.spans'::regclass`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(9);
  });

  it('moves rows out of the default partition when their day gets a partition', async () => {
    const project = await db.pool.query(`insert into projects (name) values ('p-move') returning id`);
    const far = '2031-05-04T10:00:00Z';
    await db.pool.query(
      `insert into spans (project_id, trace_id, span_id, name, start_time, duration_ms, category, status)
       values ($1, repeat('a', 32), repeat('b', 16), 'x', $2, 1, 'other', 'ok')`,
      [project.rows[0].id, far],
    );
    const before = await db.pool.query(`select tableoid::regclass::text as part from spans where start_time = $1`, [far]);
    expect(before.rows[0].part).toBe('spans_default');
    await db.pool.query(`select vigil_ensure_spans_partition('2031-05-04')`);
    const after = await db.pool.query(`select tableoid::regclass::text as part from spans where start_time = $1`, [far]);
    expect(after.rows).toEqual([{ part: 'spans_p20310504' }]);
  });
});
