// Cost-per-call SLIs from the rollups' cost distributions: any window from 5 minutes to 30 days
// answered at once, equal to the raw count, never emptier than a shorter window inside it, with
// calls of unknown cost counted as neither good nor bad.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { readCostSli } from '../src/query/read-metrics.ts';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import type { SpanRow } from '../src/spans/index.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
/** Costs well apart from the limit (more than the histograms' 1%), so both counts are exact. */
const COSTS = [0.0002, 0.0008, 0.003, 0.02];
const LIMIT_USD = 0.001;
const filters = { category: ['model'] };

let db: TestDatabase;
let projectId: string;
let spans: SpanRow[];

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'cost-sli')).id;
  // The compactor has run for days: hours and days before the last hour are built.
  await db.pool.query('update rollup_progress set built_until = $1', [new Date(Math.floor(now / DAY) * DAY - DAY)]);
  // Ten minutes of traffic, as on a fresh `vigil up --demo`; some calls' cost unknown.
  spans = generateSpans({ projectId, fromMs: now - 11 * MINUTE, toMs: now, requests: 400, seed: 5 }).map((s, i) =>
    s.category === 'model' && s.costUsd !== null ? { ...s, costUsd: COSTS[i % COSTS.length]! } : s,
  );
  const half = Math.floor(spans.length / 2);
  await bulkLoadSpans(db.pool, spans.slice(0, half));
  // Half folded by the compactor, half still pending deltas.
  await compactRollups(db.pool, { nowMs: now });
  await bulkLoadSpans(db.pool, spans.slice(half));
}, 120_000);

afterAll(() => db.drop());

const sli = (windowMs: number, exact = false) =>
  readCostSli(db.pool, SERVICE_CALLER, {
    projectId,
    window: { from: new Date(now - windowMs), to: new Date(now) },
    filters,
    maxUsd: LIMIT_USD,
    exact,
  });

describe('cost SLIs from rollups', () => {
  it('counts a 1-day window with 10 minutes of traffic exactly as raw spans do', async () => {
    const calls = spans.filter((s) => s.category === 'model');
    const priced = calls.filter((s) => s.costUsd !== null);
    expect(calls.length).toBeGreaterThan(priced.length); // some costs are unknown
    const expected = { total: priced.length, good: priced.filter((s) => s.costUsd! <= LIMIT_USD).length };
    expect(expected.good).toBeGreaterThan(0);
    expect(expected.good).toBeLessThan(expected.total);
    expect(await sli(DAY, true)).toEqual(expected);
    expect(await sli(DAY)).toEqual(expected);
  });

  it('never reads a window emptier than a shorter one inside it, 5 minutes to 30 days', async () => {
    const windows = [5 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE, DAY, 3 * DAY, 30 * DAY];
    const counts = [];
    for (const w of windows) counts.push(await sli(w));
    for (let i = 1; i < counts.length; i++) {
      expect(counts[i]!.total).toBeGreaterThanOrEqual(counts[i - 1]!.total);
      expect(counts[i]!.good).toBeGreaterThanOrEqual(counts[i - 1]!.good);
    }
    expect(counts[0]!.total).toBeGreaterThan(0);
    // Everything is in the last 11 minutes: from 1 hour on, every window holds all of it.
    for (const c of counts.slice(1)) expect(c).toEqual(counts.at(-1));
    for (const [i, w] of windows.entries()) expect(counts[i]).toEqual(await sli(w, true));
  });

  it('counts after the compactor folds every delta as before it', async () => {
    const before = await sli(DAY);
    await compactRollups(db.pool, { nowMs: now + 10 * MINUTE });
    expect(await sli(DAY)).toEqual(before);
  });
});
