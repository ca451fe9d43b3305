// Span ids are stored as bigint (migration 20261213000000): the one integer with the id's 64 bits,
// written by spanIdInteger (COPY and parameters) and read back in hex by vigil_span_hex(). Every
// id must survive the trip exactly, the sign bit included, and the migration must carry ids
// stored as hex text across unchanged: the spans' parent links, an app's view of its calls, and
// the rows the content and log policies join to their span.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePool } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { spanIdInteger } from '../src/spans/span-id.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { asRole } from './support/as-role.ts';
import { migrateBefore } from './support/migrate-before.ts';

const MIGRATION = '20261213000000';
const TRACE = 'ab'.repeat(16);
const EDGES = ['0000000000000000', '0000000000000001', '7fffffffffffffff', '8000000000000000', 'ffffffffffffffff'];

describe('span ids as integers', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('gives back every id exactly, in Postgres and in TypeScript alike', async () => {
    const hex = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex'));
    const ids = [...EDGES, ...fc.sample(hex, { numRuns: 500, seed: 16 })];
    const { rows } = await db.pool.query<{ hex: string; stored: string; round: string }>(
      `select h as hex, vigil_span_id(h)::text as stored, vigil_span_hex(i::bigint) as round
         from unnest($1::text[], $2::text[]) as v(h, i)`,
      [ids, ids.map(spanIdInteger)],
    );
    for (const row of rows) {
      expect(row.stored).toBe(spanIdInteger(row.hex));
      expect(row.round).toBe(row.hex);
    }
    expect(spanIdInteger('ffffffffffffffff')).toBe('-1');
    expect(spanIdInteger('8000000000000000')).toBe('-9223372036854775808');
  });

  it('refuses what is not 64 bits of hex, saying so', async () => {
    for (const bad of ['abc', 'zzzzzzzzzzzzzzzz', '0123456789abcdef0'])
      await expect(db.pool.query('select vigil_span_id($1)', [bad])).rejects.toThrow(
        `a span id is 16 hex digits, got "${bad}"`,
      );
  });
});

describe('the migration to integer span ids', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  it('keeps every stored id, parent link, call id and content row as it was', async () => {
    await migrateBefore(db.pool, MIGRATION);
    const project = (await createProject(db.pool, 'hex-ids')).id;
    const [root, child] = ['f00dfeedf00dfeed', '0123456789abcdef'];
    await db.pool.query(
      `insert into spans (project_id, tenant_id, trace_id, span_id, parent_span_id, name, start_time, duration_ms,
                          category, status, model, input_tokens, cost_usd)
       values ($1, 'acme', $2::uuid, $3, null, 'agent', now(), 20, 'other', 'ok', null, null, null),
              ($1, 'acme', $2::uuid, $4, $3, 'chat', now(), 12, 'model', 'ok', 'gpt-4o', 10, 0.001)`,
      [project, TRACE, root, child],
    );
    await db.pool.query(
      `insert into span_contents (project_id, trace_id, span_id, start_time, attributes)
       values ($1, $2::uuid, $3, now(), '{"gen_ai.input.messages": "hello"}')`,
      [project, TRACE, child],
    );
    await db.pool.query(
      `insert into content_moves (project_id, after_start, until) values ($1, now() - interval '1 day', now())
       on conflict (project_id) do nothing`,
      [project],
    );
    const call = `select id, span_id from ai_api_calls where project_id = $1`;
    const before = (await db.pool.query(call, [project])).rows;
    expect(before).toEqual([{ id: expect.any(String), span_id: child }]);

    expect(await migratePool(db.pool)).toContain(MIGRATION);

    expect((await db.pool.query(call, [project])).rows).toEqual(before);
    const { rows: spans } = await db.pool.query(
      `select vigil_span_hex(span_id) as span, vigil_span_hex(parent_span_id) as parent
         from spans where project_id = $1 order by start_time, name`,
      [project],
    );
    expect(spans).toEqual([
      { span: root, parent: null },
      { span: child, parent: root },
    ]);
    const { rows: types } = await db.pool.query(
      `select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type = 'text'
          and table_name in ('spans', 'spans_awaiting_parent', 'span_contents', 'span_logs', 'evaluations',
                             'evaluations_awaiting_span', 'content_moves')
          and (column_name like '%span_id' or column_name = 'after_span')`,
    );
    expect(types).toEqual([]);
    const cursor = (await db.pool.query('select after_span::text from content_moves where project_id = $1', [project]))
      .rows;
    expect(cursor).toEqual([{ after_span: '-9223372036854775808' }]);
    // The content policy, made again, still joins the row to its span.
    const content = await asRole(
      db.pool,
      'authenticated',
      { project_id: project },
      async (c) => (await c.query('select vigil_span_hex(span_id) as span from span_contents')).rows,
    );
    expect(content).toEqual([{ span: child }]);
  });
});
