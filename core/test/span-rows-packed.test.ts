// span_rows' leaves keep their columns in a packed order (migration 20261215000100): existing
// leaves are copied across with every row, key and index, and new ones are made packed.

import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePool } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { migrateBefore } from './support/migrate-before.ts';

const DAY = 86_400_000;

/** Every table holding span_rows' rows, with its columns in their physical order. */
async function leaves(pool: pg.Pool): Promise<{ leaf: string; columns: string }[]> {
  const { rows } = await pool.query<{ leaf: string; columns: string }>(
    `select c.relname as leaf,
            (select string_agg(attname, ', ' order by attnum) from pg_attribute
              where attrelid = c.oid and attnum > 0 and not attisdropped) as columns
       from pg_partition_tree('span_rows') t join pg_class c on c.oid = t.relid
      where t.isleaf order by 1`,
  );
  return rows;
}

/** The spans of the project, each as JSON, in a stable order. */
async function spansOf(pool: pg.Pool, projectId: string): Promise<string[]> {
  const { rows } = await pool.query<{ row: string }>(
    `select (to_jsonb(s) - 'dimensions')::text as row from spans s where project_id = $1 order by start_time, span_id`,
    [projectId],
  );
  return rows.map((r) => r.row);
}

/** Spans through the view, one a minute from `fromMs` back, on n minutes. */
async function insertSpans(pool: pg.Pool, projectId: string, fromMs: number, n: number, offset = 0): Promise<void> {
  await pool.query(
    `insert into spans (project_id, tenant_id, trace_id, span_id, parent_span_id, name, service_name, start_time,
                        duration_ms, category, status, session_id, model, input_tokens, cost_usd, attributes, cache_hit)
     select $1, 't' || (i % 3), md5((i / 4)::text)::uuid, i, nullif(i % 4, 0), 'span ' || i, 'svc', $2::timestamptz - i * interval '1 minute',
            case when i % 5 = 0 then null else i end, case when i % 2 = 0 then 'model' else 'http' end, 'ok',
            case when i % 3 = 0 then 'session-' || i end, case when i % 2 = 0 then 'gpt-4o' end,
            case when i % 2 = 0 then i end, case when i % 2 = 0 then i / 1000.0 end,
            case when i % 7 = 0 then jsonb_build_object('n', i) end, case when i % 11 = 0 then true end
       from generate_series($3::int + 1, $3::int + $4::int) i`,
    [projectId, new Date(fromMs), offset, n],
  );
}

// 8-byte aligned columns first (their order among themselves is span_rows' own).
const EIGHT_BYTE = 'span_id, parent_span_id, start_time, duration_ms, ttft_ms';

describe('span_rows packed', () => {
  let old: TestDatabase;
  let projectId: string;
  const now = Date.now();
  beforeAll(async () => {
    old = await createTestDatabase({ migrate: false });
    await migrateBefore(old.pool, '20261215000100');
    projectId = (await createProject(old.pool, 'packed')).id;
    for (const day of [0, 1]) {
      await old.pool.query('select vigil_ensure_spans_partition($1::uuid, $2::date)', [
        projectId,
        new Date(now - day * DAY).toISOString().slice(0, 10),
      ]);
    }
    // 3000 minutes: two days in their partitions, the rest waiting in the project's catch-all.
    await insertSpans(old.pool, projectId, now, 3000);
  }, 60_000);
  afterAll(() => old.drop());

  it('copies every leaf across with every row, in the packed order, keys and indexes kept', async () => {
    const before = await spansOf(old.pool, projectId);
    expect(before).toHaveLength(3000);
    const beforeLeaves = await leaves(old.pool);
    expect(beforeLeaves.every((l) => !l.columns.startsWith(EIGHT_BYTE))).toBe(true);

    await migratePool(old.pool);

    expect(await spansOf(old.pool, projectId)).toEqual(before);
    const after = await leaves(old.pool);
    expect(after.map((l) => l.leaf)).toEqual(beforeLeaves.map((l) => l.leaf));
    const packed = (await old.pool.query(`select vigil_span_rows_packed_columns(false) as c`)).rows[0].c;
    for (const { leaf, columns } of after) {
      expect(columns, leaf).toBe(packed);
      expect(columns, leaf).toMatch(new RegExp(`^${EIGHT_BYTE}, `));
      // Variable-width columns last.
      expect(columns, leaf).toMatch(
        /, tenant_id, name, status_message, session_id, user_id, cost_usd, attributes, events, reported_cost_usd$/,
      );
    }
    // Each leaf has the key (refusing a span stored before) and the trace and time indexes.
    const { rows: indexes } = await old.pool.query<{ leaf: string; defs: string[] }>(
      // Inside an aggregate, 'order by 1' sorts by the constant 1, i.e. not at all: sort by the definition itself.
      `select leaf, array_agg(def order by def) as defs
         from (select c.relname as leaf, regexp_replace(pg_get_indexdef(x.indexrelid), '^.* USING ', '') as def
                 from pg_partition_tree('span_rows') t join pg_class c on c.oid = t.relid join pg_index x on x.indrelid = c.oid
                where t.isleaf) d
        group by leaf order by leaf`,
    );
    for (const { leaf, defs } of indexes) {
      expect(defs, leaf).toEqual(
        leaf === 'spans_default'
          ? ['brin (start_time)', 'btree (project_id, start_time, trace_id, span_id)', 'btree (project_id, trace_id)']
          : ['brin (start_time)', 'btree (start_time, trace_id, span_id)', 'btree (trace_id)'],
      );
    }
    expect(indexes.map((i) => i.leaf)).toEqual(after.map((l) => l.leaf));
    await expect(
      old.pool.query(
        `insert into span_rows select * from span_rows where project_id = $1 and start_time > now() - interval '1 hour' limit 1`,
        [projectId],
      ),
    ).rejects.toThrow(/duplicate key/);
  });

  it('makes new leaves packed, the waiting spans of their day moved in', async () => {
    const before = await spansOf(old.pool, projectId);
    const day = new Date(now - 2 * DAY).toISOString().slice(0, 10);
    const { rows } = await old.pool.query<{ moved: number }>(
      `select count(*)::int as moved from span_rows where project_id = $1 and start_time >= $2::date and start_time < $2::date + 1`,
      [projectId, day],
    );
    expect(rows[0]!.moved).toBeGreaterThan(0);
    await old.pool.query('select vigil_ensure_spans_partition($1::uuid, $2::date)', [projectId, day]);
    expect(await spansOf(old.pool, projectId)).toEqual(before);
    const leaf = (await leaves(old.pool)).find((l) => l.leaf.endsWith(`_p${day.replaceAll('-', '')}`));
    expect(leaf?.columns).toMatch(new RegExp(`^${EIGHT_BYTE}, `));
    const { rows: inLeaf } = await old.pool.query(`select count(*)::int as n from ${leaf!.leaf}`);
    expect(inLeaf[0].n).toBe(rows[0]!.moved);
  });
});
