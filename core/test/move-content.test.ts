// Spans stored before span_contents existed keep captured content in their attributes and events;
// maintenance moves it apart (move-content.ts), resumably, by the ingest rule of what is content.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { moveStoredContent } from '../src/spans/move-content.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';

let db: TestDatabase;
const now = Date.now();

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('moving stored content apart', () => {
  it('moves content attributes and events of listed projects to span_contents, batch by batch, and stops', async () => {
    const captured = (await createProject(db.pool, 'move-captured')).id;
    const other = (await createProject(db.pool, 'move-other')).id;
    // 1,200 spans: more than two batches, so the walk resumes from its cursor.
    const spans = generateSpans({
      projectId: captured,
      fromMs: now - 3_600_000,
      toMs: now - 60_000,
      requests: 300,
      seed: 3,
    });
    expect(spans.length).toBeGreaterThan(1000);
    for (const [i, span] of spans.entries()) {
      span.attributes = { 'http.route': '/chat', ...(i % 2 === 0 ? { 'gen_ai.input.messages': `secret ${i}` } : {}) };
      span.events =
        i % 3 === 0
          ? [
              { name: 'gen_ai.choice', timeMs: span.startMs, attributes: { message: `answer ${i}` } },
              { name: 'retry', timeMs: span.startMs, attributes: { attempt: 1 } },
            ]
          : [];
    }
    await bulkLoadSpans(db.pool, spans);
    await db.pool.query(
      `insert into content_moves (project_id, after_start, until) values ($1, now() - interval '2 days', now())`,
      [captured],
    );
    const withContent = spans.filter((_, i) => i % 2 === 0 || i % 3 === 0).length;

    // A small budget moves one batch, then stops; the cursor keeps its place.
    const first = await moveStoredContent(db.pool, 0);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(withContent);
    let moved = first;
    for (let round = 0; round < 10; round++) moved += await moveStoredContent(db.pool, 0);
    expect(moved).toBe(withContent);
    expect((await db.pool.query('select count(*)::int as n from content_moves')).rows[0].n).toBe(0);

    const leftInSpans = await db.pool.query(
      `select count(*)::int as n from spans where project_id = $1
         and (attributes::text like '%secret%' or events::text like '%answer%')`,
      [captured],
    );
    expect(leftInSpans.rows[0].n).toBe(0);
    const { rows } = await db.pool.query<{ attributes: Record<string, unknown>; events: { name: string }[] | null }>(
      `select c.attributes, c.events from span_contents c where c.project_id = $1 and c.span_id = vigil_span_id($2)`,
      [captured, spans[0]!.spanId],
    );
    expect(rows[0]!.attributes).toEqual({ 'gen_ai.input.messages': 'secret 0' });
    expect(rows[0]!.events!.map((e) => e.name)).toEqual(['gen_ai.choice', 'retry']);
    const kept = await db.pool.query(
      `select attributes, events from spans where project_id = $1 and span_id = vigil_span_id($2)`,
      [captured, spans[0]!.spanId],
    );
    expect(kept.rows[0].attributes).toEqual({ 'http.route': '/chat' });
    expect(kept.rows[0].events.map((e: { name: string }) => e.name)).toEqual(['retry']);
    expect(
      (await db.pool.query('select count(*)::int as n from span_contents where project_id = $1', [other])).rows[0].n,
    ).toBe(0);
    // Done: nothing is listed, so nothing more moves.
    expect(await moveStoredContent(db.pool, 0)).toBe(0);
  });
});
