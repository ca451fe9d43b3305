// Retention: raw spans by each project's raw_retention_days, dropping whole daily partitions;
// rollups and sessions by one setting for the installation (13 months by default), minute rollups
// sooner (they are the largest and only needed for recent, fine-grained views); evaluation results
// and their rollups as long as rollups.

import type pg from 'pg';

export interface RetentionSettings {
  /** Minute rollups older than this many days are deleted. */
  minuteRollupDays: number;
  /** Hour and day rollups and sessions older than this many days are deleted. */
  rollupDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { minuteRollupDays: 35, rollupDays: 397 };

export interface RetentionResult {
  droppedPartitions: string[];
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
  const minuteCutoff = new Date(nowMs - settings.minuteRollupDays * 86_400_000);
  const cutoff = new Date(nowMs - settings.rollupDays * 86_400_000);
  let deleted = 0;
  deleted +=
    (await pool.query('delete from rollups_minute where bucket < $1 and not pending', [minuteCutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from rollups_hour where bucket < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from rollups_day where bucket < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from sessions where last_seen < $1 and not pending', [cutoff])).rowCount ?? 0;
  // Evaluation results are few beside spans and are the history a score is compared with: kept as long as rollups.
  deleted += (await pool.query('delete from evaluations where at < $1', [cutoff])).rowCount ?? 0;
  deleted += (await pool.query('delete from evaluation_rollups where bucket < $1', [cutoff])).rowCount ?? 0;
  return { droppedPartitions: rows.map((r) => r.partition_name), deletedRollupRows: deleted };
}

/** Creates every project's span partitions for yesterday through the day after tomorrow. */
export async function ensureSpanPartitionsAhead(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select vigil_ensure_spans_partitions(current_date - 1, current_date + 2) as n`,
  );
  return rows[0]?.n ?? 0;
}
