import { createTestDatabase, modelSpan, type TestDatabase } from '@vigil/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { copySpanRows, SpanDimensionCodes } from '../src/spans/span-dimensions.ts';
import type { StoredSpan } from '../src/spans/stored-span.ts';
import { asRole } from './support/as-role.ts';
import { migrateBefore } from './support/migrate-before.ts';
import { migratePool } from '../src/db/migrate.ts';

let db: TestDatabase;
let projectA: string;
let projectB: string;
beforeAll(async () => {
  db = await createTestDatabase();
  projectA = (await createProject(db.pool, 'values-a')).id;
  projectB = (await createProject(db.pool, 'values-b')).id;
});
afterAll(() => db.drop());

let nextSpan = 1;
/** A model span of the project with a span id of its own, `shop` serving `/chat`. */
function span(projectId: string, overrides: Partial<StoredSpan> = {}): StoredSpan {
  const spanId = (nextSpan++).toString(16).padStart(16, '0');
  return modelSpan({
    projectId,
    spanId,
    serviceName: 'shop',
    surface: '/chat',
    startMs: Date.now() - 60_000,
    ...overrides,
  });
}

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, commit = true): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query(commit ? 'commit' : 'rollback');
    return result;
  } finally {
    client.release();
  }
}

/** Writes spans as the collector does: codes resolved in the transaction, COPY into span_rows. */
async function write(codes: SpanDimensionCodes, spans: StoredSpan[], commit = true): Promise<void> {
  const batch = await inTransaction((client) => copySpanRows(client, spans, codes), commit);
  // Cached only once the transaction has committed, as the writers do.
  if (commit) batch.commit();
}

async function readBack(s: StoredSpan) {
  const { rows } = await db.pool.query(
    `select service_name, surface, model, provider, operation, deployment from spans
      where project_id = $1 and span_id = vigil_span_id($2)`,
    [s.projectId, s.spanId],
  );
  return rows[0];
}

describe('span dimensions stored once per combination (span_dimensions)', () => {
  it('reads every value back through spans, each combination of each project once', async () => {
    const codes = new SpanDimensionCodes();
    const a1 = span(projectA, { deployment: 'v1' });
    const a2 = span(projectA, { deployment: 'v1' });
    // Null and '' are different values, and so are the same values in other fields.
    const a3 = span(projectA, { deployment: '' });
    const a4 = span(projectA, { deployment: null, surface: 'v1' });
    const b = span(projectB, { deployment: 'v1' });
    await write(codes, [a1, a2, a3, a4, b]);
    expect(await readBack(a1)).toEqual({
      service_name: 'shop',
      surface: '/chat',
      model: 'gpt-4o',
      provider: 'openai',
      operation: 'chat',
      deployment: 'v1',
    });
    expect(await readBack(a3)).toMatchObject({ surface: '/chat', deployment: '' });
    expect(await readBack(a4)).toMatchObject({ surface: 'v1', deployment: null });
    expect(await readBack(b)).toMatchObject({ surface: '/chat', deployment: 'v1' });
    const { rows } = await db.pool.query(
      `select project_id, count(*)::int as n from span_dimensions where project_id in ($1, $2) group by 1`,
      [projectA, projectB],
    );
    expect(Object.fromEntries(rows.map((r) => [r.project_id, r.n]))).toEqual({ [projectA]: 3, [projectB]: 1 });
    const { rows: codesOf } = await db.pool.query(
      `select count(distinct dimensions)::int as n from span_rows where project_id = $1 and span_id = any($2::bigint[])`,
      [projectA, [a1, a2].map((s) => BigInt(`0x${s.spanId}`).toString())],
    );
    expect(codesOf[0].n).toBe(1);
  });

  it('keeps a value of any length', async () => {
    const long = span(projectA, { surface: `/${'x'.repeat(20_000)}`, model: 'm'.repeat(9_000) });
    await write(new SpanDimensionCodes(), [long]);
    expect(await readBack(long)).toMatchObject({ surface: long.surface, model: long.model });
  });

  it('keeps no code of a batch that rolled back, in span_dimensions or the cache', async () => {
    const codes = new SpanDimensionCodes();
    const lost = span(projectA, { model: 'never-committed' });
    await write(codes, [lost], false);
    const { rows } = await db.pool.query(
      `select count(*)::int as n from span_dimensions where model = 'never-committed'`,
    );
    expect(rows[0].n).toBe(0);
    // The next batch with the combination adds it again, and its span reads back whole.
    const kept = span(projectA, { model: 'never-committed' });
    await write(codes, [kept]);
    expect((await readBack(kept)).model).toBe('never-committed');
  });

  it('gives two writers adding the same combinations at once the same codes', async () => {
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    const combos = (surfaces: string[]) => {
      const spans = surfaces.map((surface) => span(projectB, { surface }));
      return { spans, codes: new SpanDimensionCodes() };
    };
    try {
      await first.query('begin');
      await second.query('begin');
      const one = combos(['/x', '/y']);
      const fromFirst = await one.codes.resolve(first, one.spans);
      // The second waits for the first's uncommitted /y, then reads its code.
      const two = combos(['/y', '/z']);
      const fromSecond = two.codes.resolve(second, two.spans);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.query('commit');
      const secondCodes = await fromSecond;
      await second.query('commit');
      expect(secondCodes.code(two.spans[0]!)).toBe(fromFirst.code(one.spans[1]!));
      expect(
        new Set([fromFirst.code(one.spans[0]!), fromFirst.code(one.spans[1]!), secondCodes.code(two.spans[1]!)]).size,
      ).toBe(3);
    } finally {
      first.release();
      second.release();
    }
  });

  it('turns values written through the view into codes, new combinations included', async () => {
    const s = span(projectA, { model: 'gpt-4o' });
    await write(new SpanDimensionCodes(), [s]);
    await db.pool.query(
      `update spans set model = 'renamed-by-update', surface = null where project_id = $1 and span_id = vigil_span_id($2)`,
      [projectA, s.spanId],
    );
    expect(await readBack(s)).toMatchObject({ model: 'renamed-by-update', surface: null, provider: 'openai' });
    await db.pool.query(
      `insert into spans (project_id, trace_id, span_id, name, start_time, duration_ms, category, status, model)
       values ($1, repeat('c', 32)::uuid, vigil_span_id('00000000000000ff'), 'x', now(), 1, 'model', 'ok', 'inserted-model')`,
      [projectA],
    );
    const { rows } = await db.pool.query(
      `select service_name, model from spans where project_id = $1 and span_id = vigil_span_id('00000000000000ff')`,
      [projectA],
    );
    expect(rows).toEqual([{ service_name: 'unknown_service', model: 'inserted-model' }]);
    await db.pool.query(`delete from spans where project_id = $1 and span_id = vigil_span_id('00000000000000ff')`, [
      projectA,
    ]);
    const { rows: left } = await db.pool.query(
      `select count(*)::int as n from span_rows where project_id = $1 and span_id = vigil_span_id('00000000000000ff')`,
      [projectA],
    );
    expect(left[0].n).toBe(0);
  });

  it('reads span_rows alone when a query reads no dimension', async () => {
    const plan = async (sql: string) =>
      JSON.stringify((await db.pool.query(`explain (format json) ${sql}`, [projectA])).rows[0]);
    expect(await plan('select trace_id, name, duration_ms from spans where project_id = $1')).not.toContain(
      'span_dimensions',
    );
    expect(await plan('select trace_id, model from spans where project_id = $1')).toContain('span_dimensions');
  });

  it("shows a member their own project's combinations only", async () => {
    const seen = await asRole(db.pool, 'authenticated', { project_id: projectA }, async (c) => {
      const { rows } = await c.query(`select distinct project_id from span_dimensions`);
      return rows;
    });
    expect(seen).toEqual([{ project_id: projectA }]);
  });
});

describe('the migration to span_dimensions', () => {
  let old: TestDatabase;
  beforeAll(async () => {
    old = await createTestDatabase({ migrate: false });
  });
  afterAll(() => old.drop());

  it('keeps every span, call and cost row as it read before, each combination stored once', async () => {
    await migrateBefore(old.pool, '20261214000000');
    const project = (await createProject(old.pool, 'dims-migration')).id;
    await old.pool.query(
      `insert into spans (project_id, tenant_id, trace_id, span_id, parent_span_id, name, service_name, start_time,
                          duration_ms, category, status, surface, deployment, environment, model, provider,
                          operation, prompt_name, prompt_version, cost_source, input_tokens, cost_usd, attributes)
       select $1, 't' || (i % 3), md5(i::text)::uuid, i, nullif(i - 1, 0), 'span ' || i, 'svc-' || (i % 2),
              now() - i * interval '1 minute', i, case when i % 2 = 0 then 'model' else 'http' end, 'ok',
              case when i % 5 = 0 then null else '/route/' || (i % 4) end, 'v' || (i % 3),
              case when i % 7 = 0 then '' else 'prod' end,
              case when i % 2 = 0 then 'gpt-' || (i % 4) end, case when i % 2 = 0 then 'openai' end,
              case when i % 2 = 0 then 'chat' end, case when i % 6 = 0 then 'answer' end,
              case when i % 6 = 0 then '3' end, case when i % 4 = 0 then 'catalog' end, i, i / 1000.0,
              jsonb_build_object('n', i)
         from generate_series(1, 300) i`,
      [project],
    );
    const read = async (sql: string) =>
      (
        await old.pool.query(
          `select md5(string_agg(t::text, '|' order by t::text)) as h, count(*)::int as n from (${sql}) t`,
        )
      ).rows[0];
    const queries = [
      // Every column the view had before it; it shows each row's code since (20261215000000).
      `select to_jsonb(s) - 'dimensions' from spans s`,
      'select * from ai_api_calls',
      `select count(*) from spans group by model, surface, deployment`,
    ];
    const costs = () =>
      // The view applies its own read rule: a service_role caller reads every project.
      asRole(old.pool, 'service_role', { role: 'service_role' }, async (c) => {
        const { rows } = await c.query(
          `select count(*)::int as n, sum(cost_usd)::float8 as usd,
                  count(distinct (service_name, surface, model))::int as keys
             from model_call_costs`,
        );
        return rows[0];
      });
    const before = await Promise.all(queries.map(read));
    const costsBefore = await costs();
    await migratePool(old.pool);
    expect(await Promise.all(queries.map(read))).toEqual(before);
    expect(await costs()).toEqual(costsBefore);
    expect(costsBefore).toEqual({ n: 150, usd: 22.65, keys: 4 });
    expect(before[0].n).toBe(300);
    const { rows } = await old.pool.query(
      `select count(*)::int as n,
              (select count(distinct (service_name, kind, category, status, surface, deployment, environment, model,
                                      provider, operation, prompt_name, prompt_version, cost_source))::int
                 from spans) as distinct_combinations
         from span_dimensions where project_id = $1`,
      [project],
    );
    expect(rows[0].n).toBe(rows[0].distinct_combinations);
  });
});
