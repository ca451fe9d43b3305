// The compactor folds the collector's pending deltas into every cuboid and grain, builds hour and
// day rollups as they close, and merges the rows of closed buckets into one row per key. Each round
// is one transaction, so a query (one snapshot) sees every span exactly once: either still pending
// or already folded. One runner at a time, across processes, by an advisory lock.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { CUBOIDS } from './cuboids.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  ROLLUP_COLUMNS,
  ROLLUP_KEY_COLUMNS,
  ROLLUP_MERGE_SQL,
  RollupMap,
  floorTo,
  projectKey,
  type StoredRollupRow,
} from './rollup-rows.ts';
import { SESSION_COLUMNS, SessionMap, type StoredSessionRow } from './session-rows.ts';

const COMPACTOR_LOCK = 7_214_002;

export interface CompactionOptions {
  nowMs?: number;
  /** How long after a bucket ends it counts as closed: spans are exported a little after they start. */
  closeAfterMs?: number;
  /** Caps one round's work when catching up after downtime. */
  maxBucketsPerRound?: number;
}

export interface CompactionResult {
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
      const { rows: [lock] } = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [COMPACTOR_LOCK]);
      if (!lock?.ok) {
        await client.query('rollback');
        return null;
      }
      const progress = await readProgress(client);
      const minuteClosedBefore = floorTo(nowMs - closeAfterMs, MINUTE_MS) - MINUTE_MS;
      const pendingRows = await foldPendingRollups(client, progress, minuteClosedBefore);
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
      return { pendingRows, pendingSessions, hoursBuilt, daysBuilt, sweptBuckets };
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
 * Takes every pending delta out and puts it into each cuboid's minute row, and into hour and day
 * rows where those are already built (late spans, backfills). A closed minute that has no rows yet
 * gets exactly one row per key now, so it is written as swept and the sweep skips it.
 */
async function foldPendingRollups(client: pg.ClientBase, progress: Progress, minuteClosedBefore: number): Promise<number> {
  const { rows } = await client.query<StoredRollupRow>(`delete from rollups_minute where pending returning *`);
  if (rows.length === 0) return 0;
  const pending = new RollupMap();
  for (const row of rows) pending.addRow(row);
  const out: Record<Grain, RollupMap> = { minute: new RollupMap(), hour: new RollupMap(), day: new RollupMap() };
  for (const delta of pending.rows.values()) {
    const minute = delta.key.bucketMs;
    const hour = floorTo(minute, HOUR_MS);
    const day = floorTo(minute, DAY_MS);
    for (const cuboid of CUBOIDS) {
      out.minute.get(projectKey(delta.key, cuboid, minute)).mergeAggregate(delta);
      if (hour < progress.hour) out.hour.get(projectKey(delta.key, cuboid, hour)).mergeAggregate(delta);
      if (day < progress.day) out.day.get(projectKey(delta.key, cuboid, day)).mergeAggregate(delta);
    }
  }
  const occupied = await occupiedMinutes(client, pending, minuteClosedBefore);
  await copyRows(
    client,
    TABLE.minute,
    ROLLUP_COLUMNS,
    out.minute.toCopy({ pending: false, swept: (key) => key.bucketMs < minuteClosedBefore && !occupied.has(`${key.projectId}:${key.bucketMs}`) }),
  );
  await copyRows(client, TABLE.hour, ROLLUP_COLUMNS, out.hour.toCopy({ pending: false, swept: false }));
  await copyRows(client, TABLE.day, ROLLUP_COLUMNS, out.day.toCopy({ pending: false, swept: false }));
  return rows.length;
}

/** The closed minutes among the deltas' that already hold folded rows (`${projectId}:${ms}`). */
async function occupiedMinutes(client: pg.ClientBase, pending: RollupMap, closedBefore: number): Promise<Set<string>> {
  const ranges = new Map<string, { from: number; to: number }>();
  for (const { key } of pending.rows.values()) {
    if (key.bucketMs >= closedBefore) continue;
    const r = ranges.get(key.projectId);
    if (!r) ranges.set(key.projectId, { from: key.bucketMs, to: key.bucketMs });
    else {
      r.from = Math.min(r.from, key.bucketMs);
      r.to = Math.max(r.to, key.bucketMs);
    }
  }
  const occupied = new Set<string>();
  for (const [projectId, { from, to }] of ranges) {
    const { rows } = await client.query<{ ms: number }>(
      `select distinct extract(epoch from bucket) * 1000 as ms from rollups_minute
        where project_id = $1 and cuboid = 0 and not pending and bucket >= $2 and bucket <= $3`,
      [projectId, new Date(from), new Date(to)],
    );
    for (const row of rows) occupied.add(`${projectId}:${Number(row.ms)}`);
  }
  return occupied;
}

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
async function buildClosed(client: pg.ClientBase, grain: 'hour' | 'day', progress: Progress, closedBefore: number, maxBuckets: number): Promise<number> {
  const size = grain === 'hour' ? HOUR_MS : DAY_MS;
  const from = grain === 'hour' ? 'rollups_minute' : 'rollups_hour';
  let built = 0;
  while (progress[grain] + size <= closedBefore && built < maxBuckets) {
    const start = progress[grain];
    const { rows } = await client.query<StoredRollupRow>(
      `select ${GROUP_COLUMNS}, $1::timestamptz as bucket, ${ROLLUP_MERGE_SQL}
         from ${from} where bucket >= $1 and bucket < $2 and not pending
        group by ${GROUP_COLUMNS}`,
      [new Date(start), new Date(start + size)],
    );
    const merged = new RollupMap();
    for (const row of rows) merged.addRow(row, true);
    await copyRows(client, TABLE[grain], ROLLUP_COLUMNS, merged.toCopy({ pending: false, swept: true }));
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
  const merged = new RollupMap();
  for (const row of rows) merged.addRow(row, true);
  await copyRows(client, table, ROLLUP_COLUMNS, merged.toCopy({ pending: false, swept: true }));
  return buckets.length;
}
