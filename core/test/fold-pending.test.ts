// The compactor's fold: pending deltas of several batches for the same closed minutes become one
// final row per key in every minute cuboid, their histograms normalised as the spans would give
// them, at most maxBucketsPerRound minutes a round; the rest are written unswept and the sweep
// finishes them. A minute that already had rows is left to the sweep, which merges old and new.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistogramBuilder } from '../src/histogram/log-histogram.ts';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { HISTOGRAM_COLUMNS } from '../src/rollups/rollup-rows.ts';
import type { SpanRow } from '../src/spans/stored-span.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;

let db: TestDatabase;
let projectId: string;
const spans: SpanRow[] = [];

const unsweptMinutes = async () =>
  (
    await db.pool.query<{ n: number }>(
      `select count(distinct bucket)::int as n from rollups_minute where not swept and not pending and project_id = $1`,
      [projectId],
    )
  ).rows[0]!.n;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'fold-pending')).id;
  await db.pool.query(`update rollup_progress set built_until = $1`, [new Date(start)]);
  // Three exports over the same minutes: every coarse cuboid's key gets several deltas a minute.
  for (let seed = 1; seed <= 3; seed++) {
    const batch = generateSpans({ projectId, fromMs: start, toMs: start + 7 * MINUTE, requests: 120, seed });
    spans.push(...batch);
    await bulkLoadSpans(db.pool, batch);
  }
}, 60_000);

afterAll(() => db.drop());

describe('folding pending deltas', () => {
  it('finishes at most maxBucketsPerRound minutes itself, leaves the rest to the sweep, and the next round ends them', async () => {
    const minutes = new Set(spans.map((s) => Math.floor(s.startMs / MINUTE))).size;
    expect(minutes).toBeGreaterThanOrEqual(6);
    await compactRollups(db.pool, { nowMs: start + 30 * MINUTE, maxBucketsPerRound: 2 });
    // Two minutes folded final, two more swept in the same round.
    expect(await unsweptMinutes()).toBe(minutes - 4);
    await compactRollups(db.pool, { nowMs: start + 30 * MINUTE });
    expect(await unsweptMinutes()).toBe(0);
  });

  it('keeps one row per key, each histogram as the spans give it', async () => {
    const { rows: duplicates } = await db.pool.query(
      `select cuboid, bucket, tenant_id, service_name, category, surface, model, provider, deployment, status
         from rollups_minute where project_id = $1 group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 having count(*) > 1`,
      [projectId],
    );
    expect(duplicates).toEqual([]);
    const { rows } = await db.pool.query<Record<string, Uint8Array | null> & { bucket: Date; category: string }>(
      `select bucket, category, ${HISTOGRAM_COLUMNS.join(', ')} from rollups_minute
        where project_id = $1 and cuboid = 7 and not pending order by bucket, category`,
      [projectId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(12);
    for (const row of rows) {
      const latency = new HistogramBuilder();
      const ttft = new HistogramBuilder();
      for (const s of spans) {
        if (Math.floor(s.startMs / MINUTE) * MINUTE !== row.bucket.getTime() || s.category !== row.category) continue;
        if (s.durationMs !== null) latency.add(s.durationMs);
        if (s.ttftMs !== null) ttft.add(s.ttftMs);
      }
      const at = `${row.bucket.toISOString()} ${row.category}`;
      expect(Buffer.from(row.latency_hist ?? []).toString('hex'), at).toBe(
        Buffer.from(latency.encode() ?? []).toString('hex'),
      );
      expect(Buffer.from(row.ttft_hist ?? []).toString('hex'), at).toBe(
        Buffer.from(ttft.encode() ?? []).toString('hex'),
      );
    }
  });

  it('leaves a minute that already had rows to the sweep, which merges the late deltas into them', async () => {
    const late = generateSpans({ projectId, fromMs: start, toMs: start + 2 * MINUTE, requests: 20, seed: 9 });
    await bulkLoadSpans(db.pool, late);
    spans.push(...late);
    await compactRollups(db.pool, { nowMs: start + 31 * MINUTE, maxBucketsPerRound: 0 });
    expect(await unsweptMinutes()).toBe(new Set(late.map((s) => Math.floor(s.startMs / MINUTE))).size);
    await compactRollups(db.pool, { nowMs: start + 31 * MINUTE });
    expect(await unsweptMinutes()).toBe(0);
    const { rows } = await db.pool.query<{ spans: number }>(
      `select sum(span_count)::int as spans from rollups_minute where project_id = $1 and cuboid = 7`,
      [projectId],
    );
    expect(rows[0]!.spans).toBe(spans.length);
  });
});
