// Loads spans that are already resolved (tenant, session, pricing done) straight into storage:
// spans (model calls among them, which ai_api_calls reads), captured content (span_contents), and
// the pending rollup and session deltas, in one transaction. For backfills, imports and benchmarks;
// the collector's own path adds trace-context resolution around the same rows.

import { writeEvaluations } from '../evaluations/write-evaluations.ts';
import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import {
  CONTENT_COLUMNS,
  contentRow,
  encodeSpanRows,
  copySpanRows,
  SpanDimensionCodes,
  type SpanRow,
} from '../spans/index.ts';
import { writeRollupDeltas } from './deltas.ts';
import { DAY_MS } from './rollup-rows.ts';

// Codes are the same for every caller in a process once committed.
const committedCodes = new SpanDimensionCodes();

export async function bulkLoadSpans(pool: pg.Pool, spans: readonly SpanRow[]): Promise<void> {
  const client = await pool.connect();
  try {
    const days = new Map<string, { projectId: string; day: string }>();
    for (const span of spans) {
      const day = new Date(Math.floor(span.startMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
      days.set(span.projectId + day, { projectId: span.projectId, day });
    }
    for (const { projectId, day } of days.values()) {
      await client.query('select vigil_ensure_spans_partition($1::uuid, $2::date)', [projectId, day]);
    }
    await client.query('begin');
    try {
      const dimensions = await copySpanRows(client, spans, committedCodes);
      await copyRows(
        client,
        'span_contents',
        CONTENT_COLUMNS,
        encodeSpanRows(
          spans.filter((s) => s.content),
          contentRow,
        ),
      );
      await writeRollupDeltas(client, spans);
      await writeEvaluations(client, spans);
      await client.query('commit');
      dimensions.commit();
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}
