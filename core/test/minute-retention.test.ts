// Minute rollups kept for days: a window reaching before them is answered from hours, widened to
// whole hours at its old edges, and the answer equals raw spans over that widened window; inside
// the minutes kept, answers stay to the minute.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { DEFAULT_RETENTION, enforceRetention } from '../src/rollups/retention.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { rollupAndExact, totals } from './support/rollup-vs-raw.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

let db: TestDatabase;
let projectId: string;
let cutoff: number;

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
}, 120_000);

afterAll(() => db.drop());

const both = (from: number, to: number, exactFrom = from, exactTo = to, stepMs?: number) =>
  rollupAndExact(db.pool, projectId, ['category'], { from, to }, { from: exactFrom, to: exactTo }, stepMs);

describe('minute rollups kept for days', () => {
  it('deletes the older minute rows and records from when minutes are kept, at an hour', async () => {
    const { rows } = await db.pool.query(
      `select (select min(bucket) from rollups_minute where not pending) as oldest,
              (select kept_from from rollup_retention where grain = 'minute') as kept_from`,
    );
    expect(rows[0].kept_from.getTime()).toBe(cutoff);
    expect(rows[0].oldest.getTime()).toBeGreaterThanOrEqual(cutoff);
  });

  it('answers a window inside the minutes kept to the minute', async () => {
    const from = now - DAY + 7 * MINUTE;
    const { rollup, exact } = await both(from, now);
    expect(totals(rollup)).toEqual(totals(exact));
  });

  it('widens a window reaching before them to the hour at its old edge, and agrees with raw spans there', async () => {
    const from = now - 5 * DAY + 17 * MINUTE;
    const { rollup, exact } = await both(from, now, floorHour(from), now);
    expect(totals(rollup).spans).toBeGreaterThan(0);
    expect(totals(rollup)).toEqual(totals(exact));
    // A window wholly before them: both edges go outward to whole hours.
    const to = now - 4 * DAY + 23 * MINUTE;
    const old = await both(from, to, floorHour(from), floorHour(to) + HOUR);
    expect(totals(old.rollup).spans).toBeGreaterThan(0);
    expect(totals(old.rollup)).toEqual(totals(old.exact));
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
