// Moves captured content out of spans stored before span_contents existed (migration
// 20261209000000): their attributes and events still hold it, where every role that reads traces
// could select it. Walks each listed project's spans in key order, a batch per transaction, and
// keeps its cursor in content_moves, so a restart resumes where it stopped. Content is decided by
// the same rule as at ingest (content.ts).

import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { withoutContentAttributes, withoutContentEvents } from './content.ts';
import type { Attributes, SpanEvent } from './stored-span.ts';

const BATCH = 500;

interface StoredRow {
  trace_id: string;
  /** The stored bigint's decimal text (as a number it would lose bits); it only goes back into SQL. */
  span_id: string;
  /** As text: timestamps hold microseconds, which a Date would round away from the key. */
  start_time: string;
  attributes: Attributes;
  events: SpanEvent[] | null;
}

interface Move {
  project_id: string;
  after_start: string;
  after_trace: string;
  after_span: string;
  until: Date;
}

/**
 * Moves content for up to budgetMs (at least one batch when there is work); returns the spans
 * whose content moved. Nothing to do costs one indexed read of content_moves.
 */
export async function moveStoredContent(pool: pg.Pool, budgetMs = 1000): Promise<number> {
  const started = performance.now();
  let moved = 0;
  const { rows: moves } = await pool.query<Move>(
    'select project_id, after_start::text as after_start, after_trace, after_span::text as after_span, until from content_moves order by project_id',
  );
  for (const move of moves) {
    for (;;) {
      const result = await moveBatch(pool, move);
      moved += result.moved;
      if (result.done || performance.now() - started >= budgetMs) break;
    }
    if (performance.now() - started >= budgetMs) break;
  }
  return moved;
}

async function moveBatch(pool: pg.Pool, move: Move): Promise<{ moved: number; done: boolean }> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<StoredRow>(
      `select vigil_trace_hex(trace_id) as trace_id, span_id::text as span_id, start_time::text as start_time, attributes, events
         from spans
        where project_id = $1 and (start_time, trace_id, span_id) > ($2::timestamptz, $3::uuid, $4::bigint) and start_time < $5
        order by start_time, trace_id, span_id limit ${BATCH}`,
      [move.project_id, move.after_start, move.after_trace, move.after_span, move.until],
    );
    const changed: { row: StoredRow; attributes: Attributes; events: SpanEvent[] | null; content: Attributes }[] = [];
    for (const row of rows) {
      const attributes = withoutContentAttributes(row.attributes);
      const events = row.events ? withoutContentEvents(row.events) : null;
      if (attributes === row.attributes && events === row.events) continue;
      const content: Attributes = {};
      for (const key of Object.keys(row.attributes)) if (!(key in attributes)) content[key] = row.attributes[key]!;
      changed.push({ row, attributes, events, content });
    }
    if (changed.length > 0) {
      const column = <T>(pick: (c: (typeof changed)[number]) => T) => changed.map(pick);
      const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
      const params = [
        move.project_id,
        column((c) => c.row.trace_id),
        column((c) => c.row.span_id),
        column((c) => c.row.start_time),
      ];
      await client.query(
        `update spans s set attributes = v.attributes, events = v.events
           from unnest($2::uuid[], $3::bigint[], $4::timestamptz[], $5::jsonb[], $6::jsonb[])
                as v(trace_id, span_id, start_time, attributes, events)
          where s.project_id = $1 and s.trace_id = v.trace_id and s.span_id = v.span_id and s.start_time = v.start_time`,
        [
          ...params,
          column((c) => json(c.attributes)),
          column((c) => json(c.events && c.events.length > 0 ? c.events : null)),
        ],
      );
      await client.query(
        `insert into span_contents (project_id, trace_id, span_id, start_time, attributes, events)
         select $1, * from unnest($2::uuid[], $3::bigint[], $4::timestamptz[], $5::jsonb[], $6::jsonb[])
         on conflict do nothing`,
        [
          ...params,
          column((c) => json(c.content)),
          column((c) => (c.events === c.row.events ? null : json(c.row.events))),
        ],
      );
    }
    const last = rows.at(-1);
    const done = rows.length < BATCH;
    if (done) await client.query('delete from content_moves where project_id = $1', [move.project_id]);
    else if (last) {
      move.after_start = last.start_time;
      move.after_trace = last.trace_id;
      move.after_span = last.span_id;
      await client.query(
        'update content_moves set after_start = $2::timestamptz, after_trace = $3::uuid, after_span = $4::bigint where project_id = $1',
        [move.project_id, last.start_time, last.trace_id, last.span_id],
      );
    }
    return { moved: changed.length, done };
  });
}
