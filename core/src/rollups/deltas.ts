// The one way spans reach the rollups and sessions at ingest: as pending deltas, COPYed in the
// transaction that stores (or changes) the spans, so rollups and spans never disagree. The
// compactor folds the deltas in later; lanes never wait on each other's rollup rows.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { forEachInTurns } from '../event-loop.ts';
import type { RollupSpan } from '../spans/index.ts';
import { ROLLUP_COLUMNS, RollupMap } from './rollup-rows.ts';
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
