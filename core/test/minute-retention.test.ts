// Minute rollups kept for days: a window reaching before them is answered from hours, read whole
// at its old edges, less the raw spans of those hours outside the window: the answer equals raw
// spans over the window asked. Where raw spans are not kept, or the caller may not read them, and
// for series, the edges stay whole hours. Inside the minutes kept, answers stay to the minute.
// The questions here read the big cuboids (a tenant's): the small ones keep their minutes as long
// as the big ones keep hours (hour-retention.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { DEFAULT_RETENTION, enforceRetention } from '../src/rollups/retention.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { LogHistogram } from '../src/histogram/log-histogram.ts';
import { type Caller, SERVICE_CALLER } from '../src/query/caller.ts';
import type { MetricsPoint } from '../src/query/metrics.ts';
import { readCostSli, readMetrics } from '../src/query/read-metrics.ts';
import { type Dimension, LONG_MINUTE_CUBOIDS } from '../src/rollups/cuboids.ts';
import { rollupAndExact, totals } from './support/rollup-vs-raw.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

let db: TestDatabase;
let projectId: string;
let cutoff: number;
/** Every tenant of the spans: a filter on them keeps the question's answer and reads a tenant's cuboid. */
let everyTenant: { tenant_id: string[] };

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'minute-retention')).id;
  const start = Math.floor((now - 6 * DAY) / DAY) * DAY;
  await db.pool.query(`update rollup_progress set built_until = $1`, [new Date(start)]);
  for (let i = 0; i < 6; i++) {
    const from = start + ((now - start) * i) / 6;
    const to = start + ((now - start) * (i + 1)) / 6;
    await bulkLoadSpans(db.pool, generateSpans({ projectId, fromMs: from, toMs: to, requests: 400, seed: i + 7 }));
    await compactRollups(db.pool, { nowMs: to });
  }
  await enforceRetention(db.pool, { ...DEFAULT_RETENTION, minuteRollupDays: 2 }, now);
  cutoff = floorHour(now - 2 * DAY);
  const { rows } = await db.pool.query<{ tenant_id: string }>('select distinct tenant_id from spans');
  everyTenant = { tenant_id: rows.map((r) => r.tenant_id) };
}, 120_000);

afterAll(() => db.drop());

const both = (from: number, to: number, exactFrom = from, exactTo = to, stepMs?: number, caller?: Caller) =>
  rollupAndExact(
    db.pool,
    projectId,
    ['tenant_id', 'category'],
    { from, to },
    { from: exactFrom, to: exactTo },
    stepMs,
    caller,
  );

describe('minute rollups kept for days', () => {
  it('deletes the older minute rows and records from when minutes are kept, at an hour', async () => {
    const { rows } = await db.pool.query(
      `select (select min(bucket) from rollups_minute where not pending and cuboid <> all($1::smallint[])) as oldest,
              (select kept_from from rollup_retention where grain = 'minute') as kept_from`,
      [LONG_MINUTE_CUBOIDS.map((c) => c.id)],
    );
    expect(rows[0].kept_from.getTime()).toBe(cutoff);
    expect(rows[0].oldest.getTime()).toBeGreaterThanOrEqual(cutoff);
  });

  it('answers a window inside the minutes kept to the minute', async () => {
    const from = now - DAY + 7 * MINUTE;
    const { rollup, exact } = await both(from, now);
    expect(totals(rollup)).toEqual(totals(exact));
  });

  it('answers a window reaching before them exactly, from hours and the raw spans at its edges', async () => {
    // An edge 13 minutes into its hour reads the hour less 13 minutes of raw spans; one 47 minutes
    // in leaves the hour out and adds its last 13 minutes.
    const hour = floorHour(now - 5 * DAY);
    for (const offset of [13, 47]) {
      const from = hour + offset * MINUTE;
      const { rollup, exact } = await both(from, now);
      expect(totals(rollup).spans).toBeGreaterThan(0);
      expect(totals(rollup)).toEqual(totals(exact));
      // A window wholly before them: both edges, each the cheaper way.
      for (const to of [hour + DAY + 23 * MINUTE, hour + DAY + 51 * MINUTE]) {
        const old = await both(from, to);
        expect(totals(old.rollup).spans).toBeGreaterThan(0);
        expect(totals(old.rollup)).toEqual(totals(old.exact));
      }
      // One inside an hour (raw spans alone): its few minutes may hold no span, so only agreement.
      const inside = await both(from, hour + (offset + 9) * MINUTE);
      expect(totals(inside.rollup)).toEqual(totals(inside.exact));
    }
    // The latency distribution too, bucket for bucket what the window's own spans give, with the
    // hour's spans taken out (13, 51) and added (47, 23).
    for (const [from, to] of [
      [hour + 13 * MINUTE, hour + DAY + 51 * MINUTE],
      [hour + 47 * MINUTE, hour + DAY + 23 * MINUTE],
    ] as const) {
      const [point] = await readMetrics(db.pool, SERVICE_CALLER, {
        projectId,
        window: { from: new Date(from), to: new Date(to) },
        filters: everyTenant,
        quantiles: [0.5, 0.9, 0.99],
      });
      const { rows } = await db.pool.query<{ duration_ms: number }>(
        `select duration_ms from spans where project_id = $1 and start_time >= $2 and start_time < $3`,
        [projectId, new Date(from), new Date(to)],
      );
      const own = new LogHistogram();
      for (const row of rows) own.add(row.duration_ms);
      for (const q of [0.5, 0.9, 0.99]) expect(point!.latencyMs.quantiles[`p${q * 100}`]).toBe(own.quantile(q));
    }
  });

  it('answers every summed column exactly per group at both kinds of edge, grouped by the combination and the tenant, filtered', async () => {
    // Groups from the spans' combination (model) and from the span (tenant), under a filter on the
    // combination: the edges sum spans per combination and join only those sums.
    const additive = (points: MetricsPoint[]) =>
      Object.fromEntries(
        points.map((p) => [
          `${p.group.model}|${p.group.tenant_id}`,
          [
            p.spans,
            p.requests,
            p.errors,
            p.latencyMs.count,
            p.ttftMs.count,
            p.modelCalls,
            p.pricedCalls,
            p.tokens.input,
            p.tokens.output,
            p.tokens.cacheRead,
            p.tokens.cacheWrite,
            p.tokens.reasoning,
            Math.round(p.costUsd * 1e9),
            p.cache.hits,
            p.cache.misses,
          ],
        ]),
      );
    const hour = floorHour(now - 5 * DAY);
    for (const offset of [13, 47]) {
      const q = {
        projectId,
        groupBy: ['model', 'tenant_id'] as Dimension[],
        filters: { status: ['ok', 'error'], category: ['model', 'db'] },
        quantiles: [],
      };
      const window = { from: new Date(hour + offset * MINUTE), to: new Date(now) };
      const rollup = await readMetrics(db.pool, SERVICE_CALLER, { ...q, window });
      const exact = await readMetrics(db.pool, SERVICE_CALLER, { ...q, window, exact: true });
      expect(rollup.length).toBeGreaterThan(3);
      expect(additive(rollup)).toEqual(additive(exact));
      // The cost distribution at the edges: a cost SLI equals the raw spans' count to its buckets' 1%.
      const sli = await readCostSli(db.pool, SERVICE_CALLER, {
        projectId,
        window,
        filters: everyTenant,
        maxUsd: 0.001,
      });
      const raw = await readCostSli(db.pool, SERVICE_CALLER, { projectId, window, maxUsd: 0.001, exact: true });
      expect(sli.total).toBe(raw.total);
      expect(Math.abs(sli.good - raw.good)).toBeLessThanOrEqual(raw.total * 0.01);
    }
  });

  it('keeps the widened hour where raw spans are not kept, or for a caller that may not read them', async () => {
    // 47 minutes into its hour: the widened answer has the hour's first 47 minutes more (about a
    // dozen requests at this traffic), so the two answers surely differ.
    const from = floorHour(now - 5 * DAY) + 47 * MINUTE;
    const finance: Caller = { role: 'authenticated', projectId, memberRole: 'finance' };
    const forFinance = await both(from, now, floorHour(from), now, undefined, finance);
    expect(totals(forFinance.rollup).spans).toBeGreaterThan(totals((await both(from, now)).rollup).spans);
    expect(totals(forFinance.rollup)).toEqual(totals(forFinance.exact));
    await db.pool.query(`update projects set raw_retention_days = 4 where id = $1`, [projectId]);
    try {
      const gone = await both(from, now, floorHour(from), now);
      expect(totals(gone.rollup)).toEqual(totals(gone.exact));
    } finally {
      await db.pool.query(`update projects set raw_retention_days = 30 where id = $1`, [projectId]);
    }
  });

  it('answers a minute-step series reaching before them at whole hours, every span counted', async () => {
    const from = now - 3 * DAY + 17 * MINUTE;
    const { rollup, exact } = await both(from, now, floorHour(from), now, 5 * MINUTE);
    const buckets = new Set(rollup.map((p) => Date.parse(p.bucket!)));
    expect(buckets.size).toBeGreaterThan(24);
    for (const bucket of buckets) expect(bucket % HOUR).toBe(0);
    expect(totals(rollup)).toEqual(totals(exact));
  });
});

describe('space of deleted minute rows', () => {
  it('is used again by the next minute rows, so a table that churns does not grow', async () => {
    const scratch = await createTestDatabase();
    try {
      const project = (await createProject(scratch.pool, 'minute-churn')).id;
      // A day of minute rows for 40 tenants, written once; then retention deletes that day and
      // the next day's rows arrive. Without the space freed, the table doubles.
      const writeDay = (dayStart: number) =>
        scratch.pool.query(
          `insert into rollups_minute (project_id, tenant_id, cuboid, bucket, category, span_count, swept)
           select $1, 't' || t, 0, $2::timestamptz + make_interval(mins => m), 'model', 1, true
             from generate_series(0, 1439) m, generate_series(1, 40) t`,
          [project, new Date(dayStart)],
        );
      const size = async () =>
        Number((await scratch.pool.query(`select pg_relation_size('rollups_minute_c0') as n`)).rows[0].n);
      const firstDay = Math.floor(now / DAY) * DAY - 6 * DAY;
      await writeDay(firstDay);
      const before = await size();
      const result = await enforceRetention(scratch.pool, DEFAULT_RETENTION, firstDay + 5 * DAY);
      expect(result.deletedRollupRows).toBe(1440 * 40);
      await writeDay(firstDay + 4 * DAY + HOUR);
      expect(await size()).toBeLessThan(before * 1.1);
    } finally {
      await scratch.drop();
    }
  });
});
