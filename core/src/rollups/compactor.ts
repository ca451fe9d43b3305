// The compactor folds the collector's pending deltas into every cuboid and grain, builds hour and
// day rollups as they close, and merges the rows of closed buckets into one row per key. It also
// ends holds: metric deltas (metric-deltas.ts) and evaluation results waiting for their span. Each round
// is one transaction, so a query (one snapshot) sees every span exactly once: either still pending
// or already folded. One runner at a time, across processes, by an advisory lock.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { ALL_TENANTS } from '../spans/index.ts';
import { CUBOIDS, DIMENSIONS, MINUTE_CUBOIDS, type Cuboid } from './cuboids.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  ROLLUP_COLUMNS,
  ROLLUP_KEY_COLUMNS,
  ROLLUP_MERGE_SQL,
  ROLLUP_METRIC_COLUMNS,
  RollupMap,
  floorTo,
  type StoredRollupRow,
} from './rollup-rows.ts';
import { SESSION_COLUMNS, SessionMap, type StoredSessionRow } from './session-rows.ts';
import { METRIC_HOLD_MS, releaseMetricDeltas } from './metric-deltas.ts';
import { attachHeldEvaluations } from '../evaluations/held-evaluations.ts';

/** Held by each compaction round; whatever rewrites rollup rows in place (re-pricing) takes it too. */
export const COMPACTOR_LOCK = 7_214_002;

export interface CompactionOptions {
  nowMs?: number;
  /** How long after a bucket ends it counts as closed: spans are exported a little after they start. */
  closeAfterMs?: number;
  /** Caps one round's work when catching up after downtime. */
  maxBucketsPerRound?: number;
}

export interface CompactionResult {
  /** Held evaluation results written: with their span, and without it after the hold (held-evaluations.ts). */
  evaluationsAttached: number;
  evaluationsUnattached: number;
  /** Metric deltas whose hold ended, and of those the ones moved into the rollups (metric-deltas.ts). */
  metricDeltasDue: number;
  metricDeltasMoved: number;
  pendingRows: number;
  pendingSessions: number;
  hoursBuilt: number;
  daysBuilt: number;
  sweptBuckets: number;
}

type Grain = 'minute' | 'hour' | 'day';
const TABLE: Record<Grain, string> = { minute: 'rollups_minute', hour: 'rollups_hour', day: 'rollups_day' };
const GROUP_COLUMNS = ROLLUP_KEY_COLUMNS.filter((c) => c !== 'bucket').join(', ');

/** One round. Returns null when another process holds the compactor lock. */
export async function compactRollups(pool: pg.Pool, options: CompactionOptions = {}): Promise<CompactionResult | null> {
  const nowMs = options.nowMs ?? Date.now();
  const closeAfterMs = options.closeAfterMs ?? 2 * MINUTE_MS;
  const maxBuckets = options.maxBucketsPerRound ?? 240;
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const {
        rows: [lock],
      } = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [COMPACTOR_LOCK]);
      if (!lock?.ok) {
        await client.query('rollback');
        return null;
      }
      const progress = await readProgress(client);
      const minuteClosedBefore = floorTo(nowMs - closeAfterMs, MINUTE_MS) - MINUTE_MS;
      const evaluations = await attachHeldEvaluations(client, nowMs);
      const released = await releaseMetricDeltas(client, floorTo(nowMs - METRIC_HOLD_MS, MINUTE_MS) - MINUTE_MS);
      const pendingRows = await foldPendingRollups(client, progress, minuteClosedBefore, maxBuckets);
      const pendingSessions = await foldPendingSessions(client);
      const hoursBuilt = await buildClosed(client, 'hour', progress, nowMs - closeAfterMs, maxBuckets);
      const daysBuilt = await buildClosed(client, 'day', progress, progress.hour, maxBuckets);
      await client.query(
        `update rollup_progress set built_until = case grain when 'hour' then $1::timestamptz else $2::timestamptz end`,
        [new Date(progress.hour), new Date(progress.day)],
      );
      const sweptBuckets =
        (await sweep(client, 'minute', minuteClosedBefore, maxBuckets)) +
        (await sweep(client, 'hour', progress.hour, maxBuckets)) +
        (await sweep(client, 'day', progress.day, maxBuckets));
      await client.query('commit');
      return {
        evaluationsAttached: evaluations.attached,
        evaluationsUnattached: evaluations.unattached,
        metricDeltasDue: released.due,
        metricDeltasMoved: released.moved,
        pendingRows,
        pendingSessions,
        hoursBuilt,
        daysBuilt,
        sweptBuckets,
      };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

interface Progress {
  /** Hour and day buckets before these (ms) are built in their own grain. */
  hour: number;
  day: number;
}

async function readProgress(client: pg.ClientBase): Promise<Progress> {
  const { rows } = await client.query<{ grain: 'hour' | 'day'; built_until: Date }>(
    'select grain, built_until from rollup_progress for update',
  );
  const get = (grain: 'hour' | 'day') => rows.find((r) => r.grain === grain)?.built_until.getTime() ?? 0;
  return { hour: get('hour'), day: get('day') };
}

/**
 * Takes every pending delta out and adds it to each cuboid's minute rows, and to hour and day rows
 * where those are already built (late spans, backfills). GROUPING SETS sums each cuboid at once;
 * SQL can only concatenate histograms (string_agg), which the sweep normalises when the bucket
 * closes. A closed minute that had no rows gets its final rows here, so the sweep skips it: a key
 * with one delta is final as it is, and a key with several is returned and normalised here, for
 * at most `maxBuckets` minutes a round (the sweep's bound: memory when catching up after downtime).
 * Before, those were written unnormalised and swept at once: the sweep took 58 of compaction's 123
 * s on the 1M-span bench dataset (69 s after), and the minute rollups took 177 MB (149 after).
 */
async function foldPendingRollups(
  client: pg.ClientBase,
  progress: Progress,
  minuteClosedBefore: number,
  maxBuckets: number,
): Promise<number> {
  const { rows } = await client.query<StoredRollupRow & { taken: number }>(FOLD_PENDING_SQL, [
    new Date(minuteClosedBefore),
    new Date(progress.hour),
    new Date(progress.day),
    maxBuckets,
  ]);
  // No key to normalise comes back as one row of nulls beside the count (the left join).
  await writeNormalised(
    client,
    'rollups_minute',
    rows.filter((row) => row.project_id !== null),
  );
  return rows[0]?.taken ?? 0;
}

const DIMENSION_COLUMNS = DIMENSIONS.filter((d) => d !== 'tenant_id');

/**
 * Sums rows of cuboid 0 into the given cuboids at once: one grouping set per cuboid, each output
 * row's cuboid told apart by the columns it groups by. Returns the key columns to select (through
 * the bucket, which is grouped by as it is) and the GROUP BY clause.
 */
function groupIntoCuboids(cuboids: readonly Cuboid[], bucket: string): { keys: string; groupBy: string } {
  const sets = cuboids.map(
    (c) => `(project_id, ${bucket}, ${DIMENSIONS.filter((d) => c.dimensions.has(d)).join(', ')})`,
  );
  // grouping(a, b, …) has a bit set, most significant first, for each column the set sums over.
  const mask = (c: Cuboid) => DIMENSIONS.reduce((m, d) => (m << 1) | (c.dimensions.has(d) ? 0 : 1), 0);
  const cuboid = `case grouping(${DIMENSIONS.join(', ')}) ${cuboids.map((c) => `when ${mask(c)} then ${c.id}`).join(' ')} end`;
  // A column a set sums over comes out null: '*' for the tenant, '' for the other dimensions.
  const dims = DIMENSION_COLUMNS.map((d) => `coalesce(${d}, '') as ${d}`).join(', ');
  return {
    keys: `project_id, coalesce(tenant_id, '${ALL_TENANTS}') as tenant_id, ${cuboid} as cuboid, ${bucket} as bucket, ${dims}`,
    groupBy: `group by grouping sets (${sets.join(', ')})`,
  };
}

/** Adds late deltas to built hour or day rows, unswept: the sweep merges them with the rows already there. */
function foldInto(table: string, cuboids: readonly Cuboid[], source: string, bucket: string): string {
  const { keys, groupBy } = groupIntoCuboids(cuboids, bucket);
  return `insert into ${table} (${ROLLUP_COLUMNS.join(', ')})
    select ${keys}, false, false, ${ROLLUP_MERGE_SQL} from ${source} ${groupBy}`;
}

// `occupied` probes the scan index once per minute the deltas touch (a lateral subquery with a
// limit, which the planner keeps as a loop). Written as a semi join, it was planned from statistics
// that lag the newest minutes and compared every delta with every closed minute row: 480 ms of a
// 500 ms round in the 1M-span bench generation.
const FOLD_PENDING_SQL = (() => {
  const { keys, groupBy } = groupIntoCuboids(MINUTE_CUBOIDS, 'bucket');
  const metrics = ROLLUP_METRIC_COLUMNS.join(', ');
  return `with taken as (delete from rollups_minute where pending returning *),
  occupied as (
    select k.project_id, k.bucket from (select distinct project_id, bucket from taken where bucket < $1) k
     cross join lateral (select from rollups_minute m
                          where m.project_id = k.project_id and m.cuboid = 0 and m.bucket = k.bucket and not m.pending limit 1) o
  ),
  grouped as (
    select ${keys}, ${ROLLUP_MERGE_SQL}, count(*) > 1 as concatenated,
           bucket < $1 and (project_id, bucket) not in (select project_id, bucket from occupied) as closed
      from taken ${groupBy}
  ),
  ranked as (
    select *, concatenated and closed
              and dense_rank() over (partition by concatenated and closed order by bucket) <= $4 as normalise_here
      from grouped
  ),
  into_minute as (
    insert into rollups_minute (${ROLLUP_COLUMNS.join(', ')})
    select ${ROLLUP_KEY_COLUMNS.join(', ')}, false, closed and not concatenated, ${metrics} from ranked where not normalise_here
  ),
  late_hour as (select *, date_bin('1 hour', bucket, timestamptz 'epoch') as hour from taken where bucket < $2),
  into_hour as (${foldInto('rollups_hour', CUBOIDS, 'late_hour', 'hour')}),
  late_day as (select *, date_bin('1 day', bucket, timestamptz 'epoch') as day from taken where bucket < $3),
  into_day as (${foldInto('rollups_day', CUBOIDS, 'late_day', 'day')})
select t.taken, r.* from (select count(*)::int as taken from taken) t
  left join (select ${ROLLUP_KEY_COLUMNS.join(', ')}, ${metrics} from ranked where normalise_here) r on true`;
})();

/** An hour's rows in every cuboid, from its cuboid-0 minutes (not every cuboid is kept by minute). */
const BUILD_HOUR_SQL = (() => {
  const { keys, groupBy } = groupIntoCuboids(CUBOIDS, '$1::timestamptz');
  return `select ${keys}, ${ROLLUP_MERGE_SQL} from rollups_minute where cuboid = 0 and bucket >= $1 and bucket < $2 and not pending ${groupBy}`;
})();

/** A day's rows in every cuboid, from its hours. */
const BUILD_DAY_SQL = `select ${GROUP_COLUMNS}, $1::timestamptz as bucket, ${ROLLUP_MERGE_SQL}
  from rollups_hour where bucket >= $1 and bucket < $2 group by ${GROUP_COLUMNS}`;

/** Merges pending session deltas into the one stored row per session. */
async function foldPendingSessions(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<StoredSessionRow>(`delete from sessions where pending returning *`);
  if (rows.length === 0) return 0;
  const sessions = new SessionMap();
  for (const row of rows) sessions.addRow(row);
  const keys = [...sessions.rows.values()];
  const { rows: stored } = await client.query<StoredSessionRow>(
    `delete from sessions s using unnest($1::uuid[], $2::text[], $3::text[]) as k(project_id, tenant_id, session_id)
      where not s.pending and s.project_id = k.project_id and s.tenant_id = k.tenant_id and s.session_id = k.session_id
      returning s.*`,
    [keys.map((k) => k.projectId), keys.map((k) => k.tenantId), keys.map((k) => k.sessionId)],
  );
  for (const row of stored) sessions.addRow(row);
  await copyRows(client, 'sessions', SESSION_COLUMNS, sessions.toCopy(false, { dropEmpty: true }));
  return rows.length;
}

/**
 * Builds hour rollups from the minutes of each hour that closed before `closedBefore`, or day
 * rollups from the hours of each built day. Moves progress forward.
 */
async function buildClosed(
  client: pg.ClientBase,
  grain: 'hour' | 'day',
  progress: Progress,
  closedBefore: number,
  maxBuckets: number,
): Promise<number> {
  const size = grain === 'hour' ? HOUR_MS : DAY_MS;
  let built = 0;
  while (progress[grain] + size <= closedBefore && built < maxBuckets) {
    const start = progress[grain];
    const { rows } = await client.query<StoredRollupRow>(grain === 'hour' ? BUILD_HOUR_SQL : BUILD_DAY_SQL, [
      new Date(start),
      new Date(start + size),
    ]);
    await writeNormalised(client, TABLE[grain], rows);
    progress[grain] = start + size;
    built++;
  }
  return built;
}

/** Merges the rows of each closed bucket that has unmerged rows into one row per key. */
async function sweep(client: pg.ClientBase, grain: Grain, closedBefore: number, maxBuckets: number): Promise<number> {
  const table = TABLE[grain];
  const { rows: buckets } = await client.query<{ bucket: Date }>(
    `select distinct bucket from ${table} where not swept and not pending and bucket < $1 order by bucket limit $2`,
    [new Date(closedBefore), maxBuckets],
  );
  if (buckets.length === 0) return 0;
  const { rows } = await client.query<StoredRollupRow>(
    `with taken as (delete from ${table} where bucket = any($1::timestamptz[]) and not pending returning *)
     select ${GROUP_COLUMNS}, bucket, ${ROLLUP_MERGE_SQL} from taken group by ${GROUP_COLUMNS}, bucket`,
    [buckets.map((b) => b.bucket)],
  );
  await writeNormalised(client, table, rows);
  return buckets.length;
}

/** Writes rows SQL merged (one per key, histograms concatenated) as final: histograms normalised, swept. */
async function writeNormalised(client: pg.ClientBase, table: string, rows: readonly StoredRollupRow[]): Promise<void> {
  const merged = new RollupMap();
  for (const row of rows) merged.addRow(row, true);
  await copyRows(client, table, ROLLUP_COLUMNS, merged.toCopy({ pending: false, swept: true }));
}
