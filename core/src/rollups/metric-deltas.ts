// Rollup deltas read from OTLP metric points take a detour the span deltas do not: they are held in
// metric_rollup_deltas until their minute has closed and the hold has passed, then the compactor
// moves into rollups_minute (as pending deltas, folded like any) only those whose service, tenant
// and session (when the points name one) stored no model call as a span or log event over the
// points' interval. An app that sends a call as a span (or an agent's event) and again in a metric
// is counted once, from the span, whichever arrives first; a developer whose agent sends only
// metrics is still counted when a colleague's sends events.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { copyText, copyTimestamp } from '../db/copy-text.ts';
import { MINUTE_MS, ROLLUP_COLUMNS, type RollupKey, type RollupMap } from './rollup-rows.ts';

export const METRIC_DELTA_COLUMNS = [...ROLLUP_COLUMNS, 'covers_from', 'session_id'] as const;

/** How long metric deltas wait after their minute for spans of the same calls (export intervals are 60 s by default). */
export const METRIC_HOLD_MS = 3 * MINUTE_MS;

/** Spans this far either side of a point's interval count as the same calls (clocks and export delays differ). */
const SLACK = "interval '1 minute'";

/**
 * Writes the metric deltas of one session (null: points that name none) to be held;
 * `coversFromMs` is where each row's points' intervals start.
 */
export async function holdMetricDeltas(
  client: pg.ClientBase,
  rollups: RollupMap,
  sessionId: string | null,
  coversFromMs: (key: RollupKey) => number,
): Promise<void> {
  const session = copyText(sessionId);
  await copyRows(
    client,
    'metric_rollup_deltas',
    METRIC_DELTA_COLUMNS,
    rollups.toCopy({
      pending: true,
      swept: false,
      extra: (key) => `${copyTimestamp(coversFromMs(key))}\t${session}`,
    }),
  );
}

// The model calls stored as spans are read once per round, as distinct (project, service, tenant,
// session, minute) over the span of time the due deltas cover, then each delta is matched against
// that set: one scan of the window, not one per delta.
const RELEASE_SQL = `with due as (delete from metric_rollup_deltas where bucket < $1 returning *),
  span_calls as (
    select distinct s.project_id, s.service_name, s.tenant_id, s.session_id, date_trunc('minute', s.start_time) as minute
      from spans s
     where s.project_id in (select distinct project_id from due) and s.category = 'model'
       and s.start_time >= (select min(covers_from) from due) - ${SLACK}
       and s.start_time < (select max(bucket) from due) + interval '1 minute' + ${SLACK}
  ),
  counted as (
    select * from due d where not exists (
      select 1 from span_calls c
       where c.project_id = d.project_id and c.service_name = d.service_name and c.tenant_id = d.tenant_id
         and c.minute >= date_trunc('minute', d.covers_from - ${SLACK}) and c.minute < d.bucket + interval '1 minute' + ${SLACK}
         and (d.session_id is null or c.session_id = d.session_id))
  ),
  moved as (insert into rollups_minute (${ROLLUP_COLUMNS.join(', ')}) select ${ROLLUP_COLUMNS.join(', ')} from counted returning 1)
select (select count(*) from due)::int as due, (select count(*) from moved)::int as moved`;

export interface ReleasedMetricDeltas {
  /** Held rows whose hold ended. */
  due: number;
  /** Of those, moved into the rollups; the rest were already counted from spans. */
  moved: number;
}

/** Ends the hold of metric deltas for minutes before `heldBefore` (ms); the compactor calls it in its round. */
export async function releaseMetricDeltas(client: pg.ClientBase, heldBeforeMs: number): Promise<ReleasedMetricDeltas> {
  const { rows } = await client.query<ReleasedMetricDeltas>(RELEASE_SQL, [new Date(heldBeforeMs)]);
  return rows[0] ?? { due: 0, moved: 0 };
}
