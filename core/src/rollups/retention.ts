// Retention: raw spans by each project's raw_retention_days, dropping whole daily partitions (the
// model calls ai_api_calls reads go with them; rows an app wrote itself stay);
// rollups and sessions by one setting for the installation (13 months by default), minute rollups
// after days (they were the largest table, and older windows are answered from hours), and the big
// cuboids' hour rollups after days too (older windows are answered from their days); evaluation
// results and their rollups as long as rollups.

import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { LONG_MINUTE_CUBOIDS, SHORT_HOUR_CUBOIDS } from './cuboids.ts';
import { DAY_MS, floorTo, HOUR_MS } from './rollup-rows.ts';

export interface RetentionSettings {
  /**
   * Minute rollups older than this many days (to the hour) are deleted. Four days by default: every
   * SLO burn window (the longest is three days) and the canary judge read whole minutes. The small
   * cuboids (cuboids.ts, `longMinutes`) keep theirs as long as the big cuboids keep hours, if longer.
   */
  minuteRollupDays: number;
  /**
   * Hour rollups of the big cuboids (cuboids.ts, `longHours` false) older than this many days (to
   * the day, and never before the days are built) are deleted. Eight by default: a week's range
   * stays hour by hour.
   */
  hourRollupDays: number;
  /** Hour and day rollups and sessions older than this many days are deleted. */
  rollupDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { minuteRollupDays: 4, hourRollupDays: 8, rollupDays: 397 };

export interface RetentionResult {
  droppedPartitions: string[];
  /** Captured content (span_contents) older than its project's raw retention. */
  deletedContents: number;
  /** Log records kept with their spans (span_logs) older than their project's raw retention. */
  deletedSpanLogs: number;
  /** Metric series not seen for the minute rollups' retention. */
  deletedMetricSeries: number;
  deletedRollupRows: number;
}

export async function enforceRetention(
  pool: pg.Pool,
  settings: RetentionSettings = DEFAULT_RETENTION,
  nowMs = Date.now(),
): Promise<RetentionResult> {
  const now = new Date(nowMs);
  const { rows } = await pool.query<{ partition_name: string }>(
    'select partition_name from vigil_drop_expired_spans_partitions($1)',
    [now],
  );
  // Captured content goes with its span's raw retention too.
  const expiredContent = await pool.query(
    `delete from span_contents c using projects p
      where c.project_id = p.id and c.start_time < $1::timestamptz - make_interval(days => p.raw_retention_days)`,
    [now],
  );
  // So do the log records kept with spans (the BRIN index on at finds the old ranges).
  const expiredLogs = await pool.query(
    `delete from span_logs l using projects p
      where l.project_id = p.id and l.at < $1::timestamptz - make_interval(days => p.raw_retention_days)`,
    [now],
  );
  const cutoff = new Date(nowMs - settings.rollupDays * 86_400_000);
  // Hours first: the small cuboids' minutes are kept from where the big cuboids' hours are.
  let deleted = await deleteOldHours(pool, nowMs - settings.hourRollupDays * 86_400_000);
  if (deleted > 0) await reclaimDeletedRows(pool, 'rollups_hour');
  const deletedMinutes = await deleteOldMinutes(pool, floorTo(nowMs - settings.minuteRollupDays * 86_400_000, HOUR_MS));
  if (deletedMinutes > 0) await reclaimDeletedRows(pool, 'rollups_minute');
  deleted += deletedMinutes;
  deleted += (await pool.query('delete from rollups_hour where bucket < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from rollups_day where bucket < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from sessions where last_seen < $1 and not pending', [cutoff])).rowCount ?? 0;
  // Evaluation results are few beside spans and are the history a score is compared with: kept as long as rollups.
  deleted += (await pool.query('delete from evaluations where at < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from evaluation_rollups where bucket < $1', [cutoff])).rowCount ?? 0;
  // A metric series silent as long as minute rollups are kept has stopped; should it come back,
  // its first point is a baseline or a reset, and counts right (metric-ingest/series.ts).
  const series = await pool.query('delete from metric_series where seen_at < $1', [
    new Date(nowMs - settings.minuteRollupDays * 86_400_000),
  ]);
  return {
    deletedMetricSeries: series.rowCount ?? 0,
    droppedPartitions: rows.map((r) => r.partition_name),
    deletedContents: expiredContent.rowCount ?? 0,
    deletedSpanLogs: expiredLogs.rowCount ?? 0,
    deletedRollupRows: deleted,
  };
}

/**
 * Deletes minute rollups before `cutoffMs` (an hour boundary) and records that minutes are kept
 * from there, in one transaction: a query sees both or neither, so it never plans a minute read
 * of rows that are gone. The small cuboids (`longMinutes`) keep theirs from the earlier of that and
 * the big cuboids' hours, recorded as `long_minute`: a recorded horizon, not one worked out from
 * the other two, because an installation from before it had deleted those minutes at the minute
 * horizon (its migration starts the record there). Pending deltas stay for the compactor, at any age.
 */
async function deleteOldMinutes(pool: pg.Pool, cutoffMs: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    const cutoff = new Date(cutoffMs);
    const { rows: kept } = await client.query<{ grain: string; kept_from: Date }>(
      `update rollup_retention
          set kept_from = greatest(kept_from, case grain when 'minute' then $1
                                                          else least($1, (select kept_from from rollup_retention where grain = 'hour')) end)
        where grain in ('minute', 'long_minute')
        returning grain, kept_from`,
      [cutoff],
    );
    const longKeptFrom = kept.find((k) => k.grain === 'long_minute')?.kept_from;
    // Each delete is a range on bucket per partition, which the scan index answers (by skip scan
    // over project and cuboid, or a scan of the whole index before Postgres 18). Planned from
    // statistics, it was a sequential scan of every minute row: the oldest hour had been most of
    // the table when they were taken, and a bucket bound chosen per row (a CASE) has no index
    // condition at all. 110 ms a round in the 1M-span bench generation, 6 ms this way.
    await client.query('set local enable_seqscan = off');
    const longCuboids = LONG_MINUTE_CUBOIDS.map((c) => c.id);
    const deleteBefore = async (cuboids: string, before: Date) =>
      (
        await client.query(`delete from rollups_minute where not pending and ${cuboids} and bucket < $1`, [
          before,
          longCuboids,
        ])
      ).rowCount ?? 0;
    let deleted = await deleteBefore('cuboid <> all($2::smallint[])', cutoff);
    // Without a record the planner reads these minutes as kept from any time: none is deleted.
    if (longKeptFrom) deleted += await deleteBefore('cuboid = any($2::smallint[])', longKeptFrom);
    return deleted;
  });
}

/**
 * Deletes the big cuboids' hour rollups before `beforeMs` (to the day, and not past the days built,
 * whose rows are summed from these hours) and records that their hours are kept from there, in one
 * transaction, as deleteOldMinutes does. Late spans folded into a deleted hour add a row no query
 * reads (the planner reads days there); the next round deletes it.
 */
async function deleteOldHours(pool: pg.Pool, beforeMs: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(
      `update rollup_retention r
          set kept_from = greatest(r.kept_from, least($1::timestamptz, p.built_until))
         from rollup_progress p
        where r.grain = 'hour' and p.grain = 'day'`,
      [new Date(floorTo(beforeMs, DAY_MS))],
    );
    const { rowCount } = await client.query(
      `delete from rollups_hour
        where cuboid = any($1::smallint[]) and not pending
          and bucket < (select kept_from from rollup_retention where grain = 'hour')`,
      [SHORT_HOUR_CUBOIDS.map((c) => c.id)],
    );
    return rowCount ?? 0;
  });
}

/**
 * Marks the space of deleted rollup rows free for the next inserts. Minute rows churn (pending
 * deltas folded, unswept rows merged, old minutes deleted here), and autovacuum waits for a fifth
 * of a table to be dead: a backfill outran it, and the 1M-span bench dataset kept its minute
 * rollups in 9 times their live size; the big cuboids' hours, deleted a day at a time, kept a
 * third of their heap empty on the 10M-span one. Not a VACUUM FULL: no lock that blocks ingest or
 * queries. Without the privilege (a role that does not own the table) Postgres warns and skips it.
 */
async function reclaimDeletedRows(pool: pg.Pool, table: 'rollups_minute' | 'rollups_hour'): Promise<void> {
  await pool.query(`vacuum (skip_locked) ${table}`);
}

/** Creates every project's span partitions for yesterday through the day after tomorrow. */
export async function ensureSpanPartitionsAhead(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select vigil_ensure_spans_partitions(current_date - 1, current_date + 2) as n`,
  );
  return rows[0]?.n ?? 0;
}
