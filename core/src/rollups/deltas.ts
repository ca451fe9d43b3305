// The one way spans reach the rollups and sessions at ingest: as pending deltas, COPYed in the
// transaction that stores (or changes) the spans, so rollups and spans never disagree. The
// compactor folds the deltas in later; lanes never wait on each other's rollup rows.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { forEachInTurns } from '../event-loop.ts';
import type { RollupSpan } from '../spans/index.ts';
import { DAY_MS, ROLLUP_COLUMNS, RollupMap } from './rollup-rows.ts';
import { SESSION_COLUMNS, SessionMap } from './session-rows.ts';

/** A stored span changed after it was counted (a late parent, a demoted wrapper): as it was, and as it is. */
export interface ChangedSpan {
  before: RollupSpan;
  after: RollupSpan;
}

/** Adds the spans just stored, and moves each changed span from what it was to what it is. */
export async function writeRollupDeltas(
  client: pg.ClientBase,
  stored: readonly RollupSpan[],
  changes: readonly ChangedSpan[] = [],
): Promise<void> {
  const rollups = new RollupMap();
  const sessions = new SessionMap();
  await forEachInTurns(stored, (span) => {
    rollups.addSpan(span, 1);
    sessions.addSpan(span, 1);
  });
  for (const { before, after } of changes) {
    rollups.addSpan(before, -1);
    rollups.addSpan(after, 1);
    sessions.addSpan(before, -1);
    sessions.addSpan(after, 1);
  }
  await copyRows(client, 'rollups_minute', ROLLUP_COLUMNS, rollups.toCopy({ pending: true, swept: false }));
  await copyRows(client, 'sessions', SESSION_COLUMNS, sessions.toCopy(true));
}

/** Moves each changed span's session totals from what it was to what it is. */
export async function writeSessionDeltas(client: pg.ClientBase, changes: readonly ChangedSpan[]): Promise<void> {
  const sessions = new SessionMap();
  for (const { before, after } of changes) {
    sessions.addSpan(before, -1);
    sessions.addSpan(after, 1);
  }
  await copyRows(client, 'sessions', SESSION_COLUMNS, sessions.toCopy(true));
}

/**
 * Rebuilds one project's rollups for one UTC day from its spans: removes every row of the day
 * (each grain and cuboid, pending deltas included) and writes the spans as pending deltas, which
 * the compactor folds into minutes, hours and the day as it does for late spans. The caller holds
 * the compactor's lock and passes every span of the day, as its transaction's snapshot sees them.
 */
export async function replaceDayRollups(
  client: pg.ClientBase,
  projectId: string,
  dayMs: number,
  rollups: RollupMap,
): Promise<void> {
  const from = new Date(dayMs);
  const to = new Date(dayMs + DAY_MS);
  for (const table of ['rollups_minute', 'rollups_hour', 'rollups_day'])
    await client.query(`delete from ${table} where project_id = $1 and bucket >= $2 and bucket < $3`, [
      projectId,
      from,
      to,
    ]);
  await copyRows(client, 'rollups_minute', ROLLUP_COLUMNS, rollups.toCopy({ pending: true, swept: false }));
}
