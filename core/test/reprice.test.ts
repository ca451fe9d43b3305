// `vigil reprice`'s core: the current catalog applied to two stored days, one transaction each.
// After it, every call costs what the catalog says, ai_api_calls agrees with spans, rollups
// (rebuilt, cost distributions included, even where the day was rolled up before they existed)
// equal raw sums, sessions moved with their calls, and pricing_days names the catalog. A second
// run changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { createProject } from '../src/projects.ts';
import { loadPriceCatalog } from '../src/prices/project-catalog.ts';
import { priceSpan } from '../src/prices/price-spans.ts';
import { repriceDays } from '../src/prices/reprice.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { readCostSli, readMetrics } from '../src/query/read-metrics.ts';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import { selectSpanFields, type SpanField, type SpanRow } from '../src/spans/index.ts';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const DAY_1 = today - 3 * DAY;
const DAY_2 = today - 2 * DAY;
const window = { from: new Date(DAY_1), to: new Date(DAY_2 + DAY) };

let db: TestDatabase;
let projectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'reprice')).id;
  await db.pool.query('update rollup_progress set built_until = $1', [new Date(DAY_1)]);
  // Two days whose stored costs are not the catalog's (a made-up formula), a few unknown.
  for (const [i, day] of [DAY_1, DAY_2].entries())
    await bulkLoadSpans(
      db.pool,
      // Requests end an hour before midnight: every call of a day starts on that day.
      generateSpans({ projectId, fromMs: day, toMs: day + DAY - 3_600_000, requests: 300, seed: 11 + i }),
    );
  await compactRollups(db.pool, { nowMs: today });
  // DAY_1 was rolled up before cost distributions were kept.
  for (const table of ['rollups_minute', 'rollups_hour', 'rollups_day'])
    await db.pool.query(`update ${table} set cost_hist = null where bucket >= $1 and bucket < $2`, [
      new Date(DAY_1),
      new Date(DAY_1 + DAY),
    ]);
}, 120_000);

afterAll(() => db.drop());

const reprice = async () =>
  repriceDays(db.pool, {
    projectId,
    fromMs: DAY_1,
    toMs: DAY_2 + DAY,
    catalog: await loadPriceCatalog(db.pool, projectId),
    chunkSize: 100,
  });

const FIELDS: SpanField[] = [
  'category',
  'model',
  'provider',
  'startMs',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
  'reportedCostUsd',
  'costUsd',
  'costSource',
];

async function modelCalls(): Promise<SpanRow[]> {
  const { rows } = await db.pool.query(
    `select ${selectSpanFields(FIELDS)} from spans s where s.project_id = $1 and s.category = 'model'`,
    [projectId],
  );
  return rows;
}

async function totals() {
  const [rollup] = await readMetrics(db.pool, SERVICE_CALLER, { projectId, window, quantiles: [] });
  const [exact] = await readMetrics(db.pool, SERVICE_CALLER, { projectId, window, quantiles: [], exact: true });
  return { rollup: rollup!, exact: exact! };
}

async function sessionsCost(): Promise<{ sessions: number; spans: number }> {
  const { rows } = await db.pool.query(
    `select (select coalesce(sum(cost_usd), 0)::float8 from sessions where project_id = $1) as sessions,
            (select coalesce(sum(cost_usd), 0)::float8 from spans where project_id = $1 and category = 'model' and session_id is not null) as spans`,
    [projectId],
  );
  return rows[0];
}

describe('re-pricing', () => {
  let first: Awaited<ReturnType<typeof reprice>>;

  beforeAll(async () => {
    first = await reprice();
    await compactRollups(db.pool, { nowMs: today });
  }, 120_000);

  it('prices every call as the catalog does now, in spans and ai_api_calls', async () => {
    expect(first.map((d) => d.day)).toEqual([DAY_1, DAY_2].map((d) => new Date(d).toISOString().slice(0, 10)));
    expect(first.every((d) => d.calls > 0 && d.changed > 0)).toBe(true);
    const catalog = await loadPriceCatalog(db.pool, projectId);
    for (const call of await modelCalls()) {
      const expected = { ...call };
      priceSpan(expected, catalog);
      expect([call.costUsd, call.costSource]).toEqual([expected.costUsd, expected.costSource]);
    }
    const { rows } = await db.pool.query(
      `select count(*)::int as n from ai_api_calls a
         join spans s on s.project_id = a.project_id and s.trace_id = a.trace_id and s.span_id = vigil_span_id(a.span_id)
        where a.project_id = $1 and (a.estimated_cost is distinct from s.cost_usd or a.cost_source is distinct from s.cost_source)`,
      [projectId],
    );
    expect(rows[0].n).toBe(0);
  });

  it('leaves rollups equal to raw sums, cost distributions included, and sessions with their calls', async () => {
    const { rollup, exact } = await totals();
    expect(rollup.modelCalls).toBe(exact.modelCalls);
    expect(rollup.pricedCalls).toBe(exact.pricedCalls);
    expect(rollup.costUsd).toBeCloseTo(exact.costUsd, 9);
    expect(rollup.tokens).toEqual(exact.tokens);
    // The day rolled up without cost distributions has them now: every priced call is counted.
    const costSli = (exact: boolean) =>
      readCostSli(db.pool, SERVICE_CALLER, { projectId, window, filters: {}, maxUsd: 1, exact });
    expect((await costSli(false)).total).toBe(exact.pricedCalls);
    expect(await costSli(false)).toEqual(await costSli(true));
    const sessions = await sessionsCost();
    expect(sessions.sessions).toBeCloseTo(sessions.spans, 9);
  });

  it('records the catalog that priced each day', async () => {
    const { rows } = await db.pool.query(
      `select to_char(day, 'YYYY-MM-DD') as day, catalog, source from pricing_days where project_id = $1 order by day`,
      [projectId],
    );
    const label = (await loadPriceCatalog(db.pool, projectId)).label;
    expect(label).toMatch(/^@pydantic\/genai-prices@\d+\.\d+\.\d+$/);
    expect(rows).toEqual(first.map((d) => ({ day: d.day, catalog: label, source: 'reprice' })));
  });

  it('changes nothing when run a second time', async () => {
    const before = await totals();
    const second = await reprice();
    await compactRollups(db.pool, { nowMs: today });
    expect(second.map((d) => d.changed)).toEqual([0, 0]);
    // The same dollars; summed in the order rows come back, which an update may change, so equal
    // to the last few bits of a double, not to all of them.
    for (const [i, day] of second.entries()) expect(day.afterUsd).toBeCloseTo(first[i]!.afterUsd, 12);
    const after = await totals();
    expect(after.rollup.costUsd).toBeCloseTo(before.rollup.costUsd, 9);
    expect(after.rollup.costUsd).toBeCloseTo(after.exact.costUsd, 9);
    expect(after.rollup.spans).toBe(after.exact.spans);
    const sessions = await sessionsCost();
    expect(sessions.sessions).toBeCloseTo(sessions.spans, 9);
  });
});
