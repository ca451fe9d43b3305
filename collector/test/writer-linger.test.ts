// Group commit under load: a lane that was idle commits at once; spans that queued while it
// committed wait, up to the linger, for a fuller batch, and go in one transaction.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type StoredSpan } from '@vigil/core';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { SpanWriter } from '../src/writer/span-writer.ts';

let db: TestDatabase;
let projectId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'linger')).id;
});
afterAll(() => db.drop());

let seed = 1;
/** Whole traces of generated spans, about `n` of them. */
function spans(n: number): StoredSpan[] {
  const now = Date.now();
  const out: StoredSpan[] = [];
  while (out.length < n) {
    for (const span of generateSpans({ projectId, fromMs: now - 600_000, toMs: now, requests: 1, seed: seed++ }))
      out.push({ ...span, wrapper: span.wrapper ?? false });
  }
  return out;
}

function writer(options: { lingerMs: number; lingerSpans: number; wait: (ms: number) => Promise<void> }) {
  const batches: number[] = [];
  const w = new SpanWriter(
    db.pool,
    { maxQueueSpans: 100_000, maxBatchSpans: 10_000, lanes: 1, ...options },
    { onBatch: ({ spans }) => batches.push(spans) },
  );
  return { w, batches };
}

describe('a write lane under load', () => {
  it('commits at once when it was idle', async () => {
    let waits = 0;
    const { w, batches } = writer({
      lingerMs: 1000,
      lingerSpans: 1000,
      wait: async () => {
        waits++;
      },
    });
    const a = spans(20);
    expect((await w.write(a)).stored).toBe(a.length);
    expect(waits).toBe(0);
    expect(batches).toEqual([a.length]);
  });

  it('waits for more spans before committing those queued meanwhile, then commits them together', async () => {
    let later: Promise<unknown> | null = null;
    const d = spans(30);
    const { w, batches } = writer({
      lingerMs: 100,
      lingerSpans: 1000,
      // The first wait is when D arrives; every wait ends at once (the linger still runs its course).
      wait: async () => {
        later ??= w.write(d);
      },
    });
    const blocker = await db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const a = spans(40);
    const first = w.write(a);
    const b = spans(20);
    const c = spans(20);
    const queued = [w.write(b), w.write(c)];
    await blocker.query('rollback');
    blocker.release();
    await Promise.all([first, ...queued]);
    await later;
    expect(batches).toEqual([a.length, b.length + c.length + d.length]);
  });

  it('stops waiting once a batch is full', async () => {
    let waits = 0;
    const { w, batches } = writer({
      lingerMs: 1000,
      lingerSpans: 30,
      wait: async () => {
        waits++;
      },
    });
    const blocker = await db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const a = spans(10);
    const first = w.write(a);
    const b = spans(40);
    const second = w.write(b);
    await blocker.query('rollback');
    blocker.release();
    await Promise.all([first, second]);
    expect(waits).toBe(0);
    expect(batches).toEqual([a.length, b.length]);
  });
});
