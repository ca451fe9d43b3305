// Calls whose duration is unknown (stored null: agent events without one) count as calls, errors,
// tokens and cost, and stay out of latency: the mean, the quantiles and a latency SLI's total count
// only timed spans. Rollups (minute rows, hours, and the raw edges of a window reaching before the
// minutes kept) answer exactly as raw spans do.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { DEFAULT_RETENTION, enforceRetention } from '../src/rollups/retention.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import type { MetricsPoint } from '../src/query/metrics.ts';
import { readMetrics, readSli } from '../src/query/read-metrics.ts';
import type { SpanRow } from '../src/spans/stored-span.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;

let db: TestDatabase;
let projectId: string;
const spans: SpanRow[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'unknown-duration')).id;
  const start = Math.floor((now - 3 * DAY) / DAY) * DAY;
  await db.pool.query(`update rollup_progress set built_until = $1`, [new Date(start)]);
  for (let i = 0; i < 3; i++) {
    const from = start + ((now - start) * i) / 3;
    const to = start + ((now - start) * (i + 1)) / 3;
    const batch = generateSpans({ projectId, fromMs: from, toMs: to, requests: 300, seed: i + 31 });
    // Every third model call is reported without its duration.
    let model = 0;
    for (const span of batch) if (span.category === 'model' && model++ % 3 === 0) span.durationMs = null;
    spans.push(...batch);
    await bulkLoadSpans(db.pool, batch);
    await compactRollups(db.pool, { nowMs: to });
  }
  await enforceRetention(db.pool, { ...DEFAULT_RETENTION, minuteRollupDays: 1 }, now);
}, 120_000);

afterAll(() => db.drop());

/** What raw spans say of the model calls started in [from, to). */
function expected(from: number, to: number) {
  const calls = spans.filter((s) => s.category === 'model' && s.startMs >= from && s.startMs < to);
  const timed = calls.filter((s) => s.durationMs !== null).map((s) => s.durationMs!);
  return {
    spans: calls.length,
    timed: timed.length,
    mean: timed.reduce((a, b) => a + b, 0) / timed.length,
    errors: calls.filter((s) => s.status === 'error').length,
  };
}

const modelPoint = (points: MetricsPoint[]) => points.find((p) => p.group.category === 'model')!;

describe('calls of unknown duration', () => {
  // Inside the minutes kept; and reaching before them, so hours and raw spans at the edges answer.
  for (const [name, fromMs] of [
    ['a window of minute rollups', now - 12 * HOUR + 7 * MINUTE],
    ['a window of hours with raw edges', now - 2 * DAY + 13 * MINUTE],
  ] as const)
    it(`counts them as calls and leaves them out of latency: ${name}`, async () => {
      const window = { from: new Date(fromMs), to: new Date(now - 17 * MINUTE) };
      const want = expected(window.from.getTime(), window.to.getTime());
      expect(want.timed).toBeLessThan(want.spans);
      const query = { projectId, window, groupBy: ['category' as const], quantiles: [0.5] };
      for (const exact of [false, true]) {
        const point = modelPoint(await readMetrics(db.pool, SERVICE_CALLER, { ...query, exact }));
        expect(point.spans, `exact ${exact}`).toBe(want.spans);
        expect(point.errors).toBe(want.errors);
        expect(point.latencyMs.count).toBe(want.timed);
        expect(point.latencyMs.mean).toBeCloseTo(want.mean, 6);
        expect(point.latencyMs.quantiles.p50).not.toBeNull();
      }
    });

  it('leaves them out of a latency SLI, whose total is the timed calls, and keeps them in its errors', async () => {
    const window = { from: new Date(now - 6 * HOUR), to: new Date(now) };
    const want = expected(window.from.getTime(), window.to.getTime());
    const sli = await readSli(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      filters: { category: ['model'] },
      metric: 'latency',
      thresholdMs: 100_000,
    });
    expect(sli.total).toBe(want.timed);
    expect(sli.good).toBe(want.timed);
    expect(sli.errorRatio).toBeCloseTo(want.errors / want.spans, 9);
  });

  it('gives a group of only such calls no latency rather than zero', async () => {
    const call = spans.find(
      (s) =>
        s.category === 'model' &&
        s.durationMs === null &&
        s.startMs < now - HOUR &&
        expected(s.startMs, s.startMs + 1).timed === 0,
    )!;
    const window = { from: new Date(call.startMs), to: new Date(call.startMs + 1) };
    const [point] = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      filters: { category: ['model'] },
      quantiles: [0.95],
      exact: true,
    });
    expect(point!.spans).toBe(expected(call.startMs, call.startMs + 1).spans);
    expect(point!.latencyMs).toEqual({ count: 0, mean: null, quantiles: { p95: null } });
  });
});
