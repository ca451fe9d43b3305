// Hour rollups of the big cuboids kept for days: a window reaching before them is answered from
// day rows, widened to whole days at its old edges, and the answer equals raw spans over that
// widened window. The small cuboids keep their hours, so their answers stay to the hour there, and
// to the window asked for callers that may read raw spans (minute-retention.test.ts). The small
// cuboids keep their minutes as long as the big ones keep hours, so their answers there stay to the
// minute for any caller.

import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { CUBOIDS, MINUTE_CUBOIDS } from '../src/rollups/cuboids.ts';
import type { Caller } from '../src/query/caller.ts';
import { enforceRetention } from '../src/rollups/retention.ts';
import { ceilTo, floorTo } from '../src/rollups/rollup-rows.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { rollupAndExact, totals } from './support/rollup-vs-raw.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;

let db: TestDatabase;
let projectId: string;
let hourCutoff: number;
let minuteCutoff: number;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'hour-retention')).id;
  const start = floorTo(now - 7 * DAY, DAY);
  await db.pool.query(`update rollup_progress set built_until = $1`, [new Date(start)]);
  for (let i = 0; i < 7; i++) {
    const from = start + ((now - start) * i) / 7;
    const to = start + ((now - start) * (i + 1)) / 7;
    await bulkLoadSpans(db.pool, generateSpans({ projectId, fromMs: from, toMs: to, requests: 300, seed: i + 3 }));
    await compactRollups(db.pool, { nowMs: to });
  }
  await enforceRetention(db.pool, { minuteRollupDays: 1, hourRollupDays: 3, rollupDays: 397 }, now);
  hourCutoff = floorTo(now - 3 * DAY, DAY);
  minuteCutoff = floorTo(now - DAY, HOUR);
}, 120_000);

afterAll(() => db.drop());

const both = (
  groupBy: ('tenant_id' | 'surface' | 'category' | 'model')[],
  from: number,
  to: number,
  read: { from: number; to: number },
  stepOrCaller?: number | Caller,
) =>
  typeof stepOrCaller === 'object'
    ? rollupAndExact(db.pool, projectId, groupBy, { from, to }, read, undefined, stepOrCaller)
    : rollupAndExact(db.pool, projectId, groupBy, { from, to }, read, stepOrCaller);

describe('hour rollups of the big cuboids kept for days', () => {
  it('deletes those cuboids’ older hours, keeps the small cuboids’ hours, and records the day it kept from', async () => {
    const { rows } = await db.pool.query<{ cuboid: number; oldest: Date }>(
      `select cuboid, min(bucket) as oldest from rollups_hour group by cuboid`,
    );
    const kept = await db.pool.query(`select kept_from from rollup_retention where grain = 'hour'`);
    expect(kept.rows[0].kept_from.getTime()).toBe(hourCutoff);
    for (const cuboid of CUBOIDS) {
      const oldest = rows.find((r) => r.cuboid === cuboid.id)?.oldest.getTime();
      expect(oldest, `cuboid ${cuboid.id}`).toBeDefined();
      if (cuboid.longHours) expect(oldest!, `cuboid ${cuboid.id}`).toBeLessThan(hourCutoff - 2 * DAY);
      else expect(oldest!, `cuboid ${cuboid.id}`).toBeGreaterThanOrEqual(hourCutoff);
    }
  });

  it('answers a big cuboid’s window reaching before them from days, widened to the day, as raw spans do', async () => {
    const from = now - 5 * DAY + 3 * HOUR + 17 * MINUTE;
    const { rollup, exact } = await both(['tenant_id', 'surface'], from, now, { from: floorTo(from, DAY), to: now });
    expect(totals(rollup).spans).toBeGreaterThan(0);
    expect(totals(rollup)).toEqual(totals(exact));
    // Wholly before them: both edges go outward to whole days.
    const to = now - 4 * DAY - 5 * HOUR;
    const old = await both(['tenant_id', 'surface'], from, to, {
      from: floorTo(from, DAY),
      to: ceilTo(to, DAY),
    });
    expect(totals(old.rollup).spans).toBeGreaterThan(0);
    expect(totals(old.rollup)).toEqual(totals(old.exact));
  });

  it('keeps a small cuboid’s answer there to the hour, and to the window with raw spans', async () => {
    // Edges 17 and 7 minutes into their hours whatever the clock says now: from the clock, they
    // were a few minutes at some times of the hour, with no span in them about one run in six.
    const from = floorTo(now - 5 * DAY, HOUR) + 3 * HOUR + 17 * MINUTE;
    const to = floorTo(now - 4 * DAY, HOUR) - 5 * HOUR + 7 * MINUTE;
    // Whole hours for a caller that may not read raw spans; the window itself for one that may.
    const finance: Caller = { role: 'authenticated', projectId, memberRole: 'finance' };
    const hours = await both(['category'], from, to, { from: floorTo(from, HOUR), to: ceilTo(to, HOUR) }, finance);
    expect(totals(hours.rollup).spans).toBeGreaterThan(0);
    expect(totals(hours.rollup)).toEqual(totals(hours.exact));
    // A window that ends on the hour is not widened past it, whatever the clock says now.
    const onTheHour = floorTo(to, HOUR);
    const edge = await both(['category'], from, onTheHour, { from: floorTo(from, HOUR), to: onTheHour }, finance);
    expect(totals(edge.rollup)).toEqual(totals(edge.exact));
    const { rollup, exact } = await both(['category'], from, to, { from, to });
    expect(totals(rollup).spans).toBeLessThan(totals(hours.rollup).spans);
    expect(totals(rollup)).toEqual(totals(exact));
  });

  it('answers an hourly series of a big cuboid reaching before them at whole days, every span counted', async () => {
    const from = now - 5 * DAY + 3 * HOUR;
    const { rollup, exact } = await both(
      ['tenant_id', 'surface'],
      from,
      now,
      { from: floorTo(from, DAY), to: now },
      3 * HOUR,
    );
    const buckets = new Set(rollup.map((p) => Date.parse(p.bucket!)));
    expect(buckets.size).toBeGreaterThanOrEqual(5);
    for (const bucket of buckets) expect(bucket % DAY).toBe(0);
    expect(totals(rollup)).toEqual(totals(exact));
  });

  it('keeps the small cuboids’ minutes from where the big cuboids’ hours are kept, the others’ for the minutes’ days', async () => {
    const { rows } = await db.pool.query<{ cuboid: number; oldest: Date }>(
      `select cuboid, min(bucket) as oldest from rollups_minute where not pending group by cuboid`,
    );
    for (const cuboid of MINUTE_CUBOIDS) {
      const oldest = rows.find((r) => r.cuboid === cuboid.id)?.oldest.getTime();
      expect(oldest, `cuboid ${cuboid.id}`).toBeDefined();
      if (cuboid.longMinutes) {
        expect(oldest!, `cuboid ${cuboid.id}`).toBeGreaterThanOrEqual(hourCutoff);
        expect(oldest!, `cuboid ${cuboid.id}`).toBeLessThan(hourCutoff + HOUR);
      } else expect(oldest!, `cuboid ${cuboid.id}`).toBeGreaterThanOrEqual(minuteCutoff);
    }
  });

  it('answers a small cuboid’s window reaching before the other minutes to the minute, for a caller that may not read raw spans', async () => {
    // 47 minutes into its hour: widened to the hour, the answer would have about ten requests more.
    const from = hourCutoff + 5 * HOUR + 47 * MINUTE;
    const to = minuteCutoff - 7 * HOUR + 13 * MINUTE;
    const finance: Caller = { role: 'authenticated', projectId, memberRole: 'finance' };
    for (const groupBy of [['category'], ['model']] as const) {
      const { rollup, exact } = await both([...groupBy], from, to, { from, to }, finance);
      expect(totals(rollup).spans, groupBy[0]).toBeGreaterThan(0);
      expect(totals(rollup), groupBy[0]).toEqual(totals(exact));
      const series = await both([...groupBy], from, now, { from, to: now }, 5 * MINUTE);
      // Five-minute buckets from the window's start (47 minutes into its hour), not whole hours;
      // a bucket without spans is left out, so any of them may come first.
      expect(series.rollup.length, groupBy[0]).toBeGreaterThan(0);
      for (const point of series.rollup) expect((Date.parse(point.bucket!) - from) % (5 * MINUTE), groupBy[0]).toBe(0);
      expect(totals(series.rollup), groupBy[0]).toEqual(totals(series.exact));
    }
    // A big cuboid's minutes are gone there: its answer for the same caller is widened to the hour.
    const big = await both(
      ['tenant_id', 'surface'],
      from,
      to,
      { from: floorTo(from, HOUR), to: ceilTo(to, HOUR) },
      finance,
    );
    expect(totals(big.rollup).spans).toBeGreaterThan(0);
    expect(totals(big.rollup)).toEqual(totals(big.exact));
  });

  it('on an installation whose small cuboids’ minutes went at the minute horizon, starts their record there and reads none of the gone rows', async () => {
    const start = floorTo(now - 4 * DAY, DAY);
    await inScratchProject('long-minutes-upgrade', start, async (pool, project) => {
      for (let i = 0; i < 4; i++) {
        const to = start + ((now - start) * (i + 1)) / 4;
        await bulkLoadSpans(
          pool,
          generateSpans({
            projectId: project,
            fromMs: start + ((now - start) * i) / 4,
            toMs: to,
            requests: 200,
            seed: i,
          }),
        );
        await compactRollups(pool, { nowMs: to });
      }
      // Retention as it was: every cuboid's minutes deleted at the minute horizon, no record of
      // the small cuboids' own. Then the migration that starts that record.
      await pool.query(`delete from rollups_minute where bucket < $1 and not pending`, [new Date(minuteCutoff)]);
      await pool.query(`update rollup_retention set kept_from = $1 where grain = 'minute'`, [new Date(minuteCutoff)]);
      await pool.query(`delete from rollup_retention where grain = 'long_minute'`);
      await pool.query(
        readFileSync(
          new URL('../../supabase/migrations/20261217000100_long_minute_retention.sql', import.meta.url),
          'utf8',
        ),
      );
      await enforceRetention(pool, { minuteRollupDays: 1, hourRollupDays: 3, rollupDays: 397 }, now);
      const { rows } = await pool.query(`select kept_from from rollup_retention where grain = 'long_minute'`);
      expect(rows[0].kept_from.getTime()).toBe(minuteCutoff);
      // Before that record, the window's minutes are gone: it is read from hours, widened to them.
      const from = hourCutoff + 5 * HOUR + 47 * MINUTE;
      const finance: Caller = { role: 'authenticated', projectId: project, memberRole: 'finance' };
      const { rollup, exact } = await rollupAndExact(
        pool,
        project,
        ['category'],
        { from, to: now },
        { from: floorTo(from, HOUR), to: now },
        undefined,
        finance,
      );
      expect(totals(rollup).spans).toBeGreaterThan(0);
      expect(totals(rollup)).toEqual(totals(exact));
    });
  });

  it('never deletes hours whose day rows are not built yet', async () => {
    const start = floorTo(now - 6 * DAY, DAY);
    await inScratchProject('hours-before-days', start, async (pool, project) => {
      await bulkLoadSpans(
        pool,
        generateSpans({ projectId: project, fromMs: start, toMs: start + 2 * DAY, requests: 50, seed: 1 }),
      );
      // The compactor built hours but fell behind on days: day progress stays at the start.
      await compactRollups(pool, { nowMs: start + 2 * DAY });
      await pool.query(`update rollup_progress set built_until = $1 where grain = 'day'`, [new Date(start + DAY)]);
      await enforceRetention(pool, { minuteRollupDays: 1, hourRollupDays: 1, rollupDays: 397 }, now);
      const { rows } = await pool.query(
        `select (select kept_from from rollup_retention where grain = 'hour') as kept_from,
                (select count(*)::int from rollups_hour where cuboid = 0 and bucket >= $1) as hours_after`,
        [new Date(start + DAY)],
      );
      expect(rows[0].kept_from.getTime()).toBe(start + DAY);
      expect(rows[0].hours_after).toBeGreaterThan(0);
    });
  });
});

/** A database of its own with one project, whose compactor starts at startMs; dropped after. */
async function inScratchProject(
  name: string,
  startMs: number,
  fn: (pool: pg.Pool, projectId: string) => Promise<void>,
): Promise<void> {
  const scratch = await createTestDatabase();
  try {
    const projectId = (await createProject(scratch.pool, name)).id;
    await scratch.pool.query(`update rollup_progress set built_until = $1`, [new Date(startMs)]);
    await fn(scratch.pool, projectId);
  } finally {
    await scratch.drop();
  }
}
