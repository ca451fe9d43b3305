import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';

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
      expect(first.length).toBeGreaterThanOrEqual(2);
      const second = await migrate(client);
      expect(second).toEqual([]);
      const { rows } = await client.query(
        'select version, name from supabase_migrations.schema_migrations order by version',
      );
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

  it('gives a new project its own daily span partitions and a catch-all for far-off clocks', async () => {
    const {
      rows: [project],
    } = await db.pool.query(`insert into projects (name) values ('p-parts') returning id`);
    const parent = `spans_${project.id.replaceAll('-', '')}`;
    const { rows } = await db.pool.query(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass order by 1`,
      [parent],
    );
    const names = rows.map((r) => r.relname);
    expect(names).toContain(`${parent}_default`);
    expect(names.filter((n) => /_p\d{8}$/.test(n)).length).toBeGreaterThanOrEqual(4);
  });

  it("keys a project's spans without its id, and still keeps each span once", async () => {
    const {
      rows: [project],
    } = await db.pool.query(`insert into projects (name) values ('p-keys') returning id`);
    const day = `spans_${project.id.replaceAll('-', '')}_p${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    const { rows: indexes } = await db.pool.query(
      `select i.indisunique as unique, pg_get_indexdef(i.indexrelid) ~ '\\(project_id' as with_project,
              regexp_replace(pg_get_indexdef(i.indexrelid), '.* USING (\\w+) ', '\\1 ') as def
         from pg_index i where i.indrelid = $1::regclass order by def`,
      [day],
    );
    expect(indexes).toEqual([
      { unique: false, with_project: false, def: 'brin (start_time)' },
      { unique: true, with_project: false, def: 'btree (start_time, trace_id, span_id)' },
      { unique: false, with_project: false, def: 'btree (trace_id)' },
    ]);
    // Into span_rows, under the view spans, where the key is (the view's trigger takes no ON CONFLICT).
    const insert = (projectId: string, conflict = '') =>
      db.pool.query(
        `insert into span_rows (project_id, trace_id, span_id, name, dimensions, start_time, duration_ms)
         values ($1, repeat('d', 32)::uuid, vigil_span_id(repeat('e', 16)), 'x', 0, date_trunc('hour', now()), 1)
         ${conflict}`,
        [projectId],
      );
    expect((await insert(project.id)).rowCount).toBe(1);
    await expect(insert(project.id)).rejects.toThrow(/duplicate key value/);
    expect((await insert(project.id, 'on conflict do nothing')).rowCount).toBe(0);
    // Another project's span with the same ids is its own.
    const {
      rows: [other],
    } = await db.pool.query(`insert into projects (name) values ('p-keys-2') returning id`);
    expect((await insert(other.id)).rowCount).toBe(1);
  });

  it('moves rows out of the catch-all partition when their day gets a partition', async () => {
    const {
      rows: [project],
    } = await db.pool.query(`insert into projects (name) values ('p-move') returning id`);
    const parent = `spans_${project.id.replaceAll('-', '')}`;
    const far = '2031-05-04T10:00:00Z';
    await db.pool.query(
      `insert into spans (project_id, trace_id, span_id, name, start_time, duration_ms, category, status)
       values ($1, repeat('a', 32)::uuid, vigil_span_id(repeat('b', 16)), 'x', $2, 1, 'other', 'ok')`,
      [project.id, far],
    );
    const before = await db.pool.query(`select tableoid::regclass::text as part from span_rows where start_time = $1`, [
      far,
    ]);
    expect(before.rows[0].part).toBe(`${parent}_default`);
    await db.pool.query(`select vigil_ensure_spans_partition($1, '2031-05-04')`, [project.id]);
    const after = await db.pool.query(`select tableoid::regclass::text as part from span_rows where start_time = $1`, [
      far,
    ]);
    expect(after.rows).toEqual([{ part: `${parent}_p20310504` }]);
  });

  it("creates a day's partition once when several connections ask for it at the same time", async () => {
    const {
      rows: [project],
    } = await db.pool.query(`insert into projects (name) values ('p-race') returning id`);
    const clients = await Promise.all([1, 2, 3, 4].map(() => db.pool.connect()));
    try {
      // Each day is asked for by every connection at once; the loser of a race must not fail.
      const created: boolean[] = [];
      for (let day = 1; day <= 20; day++) {
        const date = `2032-01-${String(day).padStart(2, '0')}`;
        const results = await Promise.all(
          clients.map((c) => c.query('select vigil_ensure_spans_partition($1, $2) as created', [project.id, date])),
        );
        created.push(...results.map((r) => r.rows[0].created));
      }
      expect(created.filter(Boolean)).toHaveLength(20);
    } finally {
      for (const c of clients) c.release();
    }
  });
});
