// The query API over rollups agrees with exact answers from raw spans, whichever grains and
// cuboids the planner picks and whether deltas are still pending.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { exhaustionOf, readBudgets } from '../src/query/read-budgets.ts';
import { readDistribution, readMetrics, readSli } from '../src/query/read-metrics.ts';
import { readTopSessions } from '../src/query/read-sessions.ts';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import type { MetricsPoint } from '../src/query/metrics.ts';
import { createTestDatabase, type TestDatabase, generateSpans } from '@vigil/testing';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / 60_000) * 60_000;

let db: TestDatabase;
let projectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'query-app')).id;
  // Pretend the compactor has been running for a while: hours and days before this are built.
  const start = Math.floor((now - 4 * DAY) / DAY) * DAY;
  await db.pool.query(`update rollup_progress set built_until = $1`, [new Date(start)]);
  // Four days of traffic in slices, compacting as time passes; the last slice stays pending.
  const slices = 8;
  for (let i = 0; i < slices; i++) {
    const from = start + ((now - start) * i) / slices;
    const to = start + ((now - start) * (i + 1)) / slices;
    await bulkLoadSpans(
      db.pool,
      generateSpans({ projectId, fromMs: from, toMs: to, requests: 600, seed: i + 1, deployments: ['v1', 'v2'] }),
    );
    if (i < slices - 1) await compactRollups(db.pool, { nowMs: to });
  }
  // Retried duplicates must not exist in raw spans, so there is nothing to double count; a late
  // span for an hour that is already built lands as pending and is folded into that hour.
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId, fromMs: start + 2 * HOUR, toMs: start + 3 * HOUR, requests: 50, seed: 99 }),
  );
}, 120_000);

afterAll(() => db.drop());

function expectSameNumbers(rollup: MetricsPoint[], exact: MetricsPoint[], key: (p: MetricsPoint) => string): number {
  expect(rollup.map(key).sort()).toEqual(exact.map(key).sort());
  const byKey = new Map(exact.map((p) => [key(p), p]));
  let worst = 0;
  for (const r of rollup) {
    const e = byKey.get(key(r))!;
    expect(r.spans).toBe(e.spans);
    expect(r.requests).toBe(e.requests);
    expect(r.errors).toBe(e.errors);
    expect(r.modelCalls).toBe(e.modelCalls);
    expect(r.pricedCalls).toBe(e.pricedCalls);
    expect(r.tokens).toEqual(e.tokens);
    expect(r.costUsd).toBeCloseTo(e.costUsd, 9);
    expect(r.ttftMs.count).toBe(e.ttftMs.count);
    for (const metric of ['latencyMs', 'ttftMs'] as const) {
      for (const [label, value] of Object.entries(e[metric].quantiles)) {
        const got = r[metric].quantiles[label];
        if (value === null) {
          expect(got).toBeNull();
          continue;
        }
        const error = Math.abs(got! - value) / value;
        worst = Math.max(worst, error);
      }
    }
  }
  expect(worst).toBeLessThanOrEqual(0.01);
  return worst;
}

/** The keys of an encoded histogram's (key, count) varint pairs, in stored order. */
function pairKeys(bytes: Uint8Array): number[] {
  const keys: number[] = [];
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 1;
    let b: number;
    do {
      b = bytes[pos++]!;
      value += (b & 0x7f) * shift;
      shift *= 128;
    } while (b & 0x80);
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  };
  while (pos < bytes.length) {
    keys.push(varint());
    varint();
  }
  return keys;
}

const window = (fromMs: number, toMs: number) => ({ from: new Date(fromMs), to: new Date(toMs) });

describe('metrics from rollups equal exact answers from raw spans', () => {
  it('by tenant over the whole range (days, hours, minutes and pending deltas)', async () => {
    const q = { projectId, window: window(now - 4 * DAY - 7 * 60_000, now + 60_000), groupBy: ['tenant_id' as const] };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, q),
      await readMetrics(db.pool, SERVICE_CALLER, { ...q, exact: true }),
      (p) => p.group.tenant_id!,
    );
  });

  it('by tenant and model, from cuboids kept by hour and day only (minutes come from cuboid 0)', async () => {
    const q = {
      projectId,
      window: window(now - 3 * DAY - 41 * 60_000, now + 60_000),
      groupBy: ['tenant_id' as const, 'model' as const],
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, q),
      await readMetrics(db.pool, SERVICE_CALLER, { ...q, exact: true }),
      (p) => `${p.group.tenant_id}/${p.group.model}`,
    );
  });

  it('by model and deployment for model calls, over a ragged 31-hour window', async () => {
    const q = {
      projectId,
      window: window(now - 31 * HOUR - 17 * 60_000, now - 3 * 60_000),
      groupBy: ['model' as const, 'deployment' as const],
      filters: { category: ['model'] },
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, q),
      await readMetrics(db.pool, SERVICE_CALLER, { ...q, exact: true }),
      (p) => `${p.group.model}/${p.group.deployment}`,
    );
  });

  it('ranks groups by cost, by span count and by p95 as raw spans rank them, then keeps the first `limit`', async () => {
    const byTenant = { projectId, window: window(now - 2 * DAY, now), groupBy: ['tenant_id' as const] };
    for (const orderBy of ['cost', 'count'] as const) {
      const top = await readMetrics(db.pool, SERVICE_CALLER, { ...byTenant, orderBy, limit: 3 });
      const exact = await readMetrics(db.pool, SERVICE_CALLER, { ...byTenant, orderBy, limit: 3, exact: true });
      expect(top.map((p) => p.group)).toEqual(exact.map((p) => p.group));
      expect(top).toHaveLength(3);
    }
    // p95 is read from histograms, within 1% of raw spans: the order must be the histograms' own,
    // and the groups raw spans rank first wherever their p95s are further apart than that.
    const p95 = (p: MetricsPoint) => p.latencyMs.quantiles.p95!;
    const top = await readMetrics(db.pool, SERVICE_CALLER, { ...byTenant, orderBy: 'p95', limit: 2 });
    expect(top).toHaveLength(2);
    expect(p95(top[0]!)).toBeGreaterThanOrEqual(p95(top[1]!));
    const all = await readMetrics(db.pool, SERVICE_CALLER, { ...byTenant, orderBy: 'p95', exact: true });
    expect(all.map(p95)).toEqual([...all.map(p95)].sort((a, b) => b - a));
    const gap = (i: number) => (p95(all[i]!) - p95(all[i + 1]!)) / p95(all[i + 1]!);
    expect(gap(1)).toBeGreaterThan(0.02); // the data keeps this test meaningful
    expect(new Set(top.map((p) => p.group.tenant_id))).toEqual(new Set(all.slice(0, 2).map((p) => p.group.tenant_id)));
  });

  it('as an hourly series of one surface, and a minute series of the last two hours', async () => {
    const hourly = {
      projectId,
      window: window(Math.floor((now - 2 * DAY) / HOUR) * HOUR, now),
      stepMs: HOUR,
      filters: { surface: ['/api/chat'] },
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, hourly),
      await readMetrics(db.pool, SERVICE_CALLER, { ...hourly, exact: true }),
      (p) => p.bucket!,
    );
    const minutes = {
      projectId,
      window: window(now - 2 * HOUR, now),
      stepMs: 60_000,
      filters: { category: ['model'] },
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, minutes),
      await readMetrics(db.pool, SERVICE_CALLER, { ...minutes, exact: true }),
      (p) => p.bucket!,
    );
  });

  it('as SLI ratios for burn-rate windows, of model calls and of a surface', async () => {
    const filtersOf: Record<string, string[]>[] = [{ category: ['model'] }, { surface: ['/api/chat'] }];
    for (const [minutes, filters] of [5, 60, 360, 4 * 1440].flatMap((m) => filtersOf.map((f) => [m, f] as const))) {
      const q = {
        projectId,
        window: window(now - minutes * 60_000, now),
        filters,
        thresholdMs: 1500,
      };
      const [rollup, exact] = [
        await readSli(db.pool, SERVICE_CALLER, q),
        await readSli(db.pool, SERVICE_CALLER, { ...q, exact: true }),
      ];
      expect(rollup.total).toBe(exact.total);
      expect(rollup.errors).toBe(exact.errors);
      // The threshold is resolved to its histogram bucket (0.8% wide): only values that close to it can differ.
      expect(Math.abs(rollup.good! - exact.good!)).toBeLessThanOrEqual(Math.max(2, exact.total * 0.01));
    }
  });

  it('as a latency distribution whose bins hold every call, within the histogram precision of raw spans', async () => {
    const w = window(now - 26 * 3_600_000, now);
    const bins = await readDistribution(db.pool, SERVICE_CALLER, {
      projectId,
      window: w,
      filters: { category: ['model'] },
    });
    // Compare at a bin edge: the count at or below it, from bins and from raw spans.
    const edge = bins.filter((b) => b.upperMs <= 1000).at(-1)!.upperMs;
    const { rows } = await db.pool.query(
      `select count(*)::int as total, count(*) filter (where duration_ms <= $4)::int as fast from spans where project_id = $1 and category = 'model' and start_time >= $2 and start_time < $3`,
      [projectId, w.from, w.to, edge],
    );
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(rows[0].total);
    for (let i = 1; i < bins.length; i++) expect(bins[i]!.upperMs).toBeGreaterThan(bins[i - 1]!.upperMs);
    const fast = bins.filter((b) => b.upperMs <= edge).reduce((sum, b) => sum + b.count, 0);
    expect(Math.abs(fast - rows[0].fast)).toBeLessThanOrEqual(Math.max(2, rows[0].total * 0.01));
  });

  it('top sessions by cost match sums over raw spans, with pending deltas merged in', async () => {
    const top = await readTopSessions(db.pool, SERVICE_CALLER, {
      projectId,
      window: window(now - 5 * DAY, now),
      limit: 10,
    });
    const { rows } = await db.pool.query(
      `select tenant_id, session_id, sum(cost_usd) filter (where category = 'model') as cost, count(*)::int as spans
         from spans where project_id = $1 and session_id is not null group by 1, 2 order by cost desc nulls last limit 10`,
      [projectId],
    );
    expect(top.map((s) => `${s.tenantId}/${s.sessionId}`)).toEqual(rows.map((r) => `${r.tenant_id}/${r.session_id}`));
    top.forEach((s, i) => {
      expect(s.costUsd).toBeCloseTo(rows[i].cost, 9);
      expect(s.spans).toBe(rows[i].spans);
    });
  });

  it('reports budget spend to date and a month-end forecast at the trailing 7-day rate', async () => {
    await db.pool.query(
      `insert into budgets (project_id, tenant_id, monthly_usd) values ($1, '*', 50), ($1, 'tenant-0', 5)`,
      [projectId],
    );
    const at = new Date(now);
    const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    const monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    const { month, budgets } = await readBudgets(db.pool, SERVICE_CALLER, { projectId, at });
    expect(month).toBe(at.toISOString().slice(0, 7));
    // An empty window (a run at the month's first minute) costs nothing.
    const exactCost = async (fromMs: number, tenant?: string) =>
      fromMs >= now
        ? 0
        : ((
            await readMetrics(db.pool, SERVICE_CALLER, {
              projectId,
              window: window(fromMs, now),
              exact: true,
              ...(tenant ? { filters: { tenant_id: [tenant] } } : {}),
            })
          )[0]?.costUsd ?? 0);
    const rateFrom = Math.max(monthStart, now - 7 * DAY);
    for (const b of budgets) {
      const tenant = b.tenantId === '*' ? undefined : b.tenantId;
      const spent = await exactCost(monthStart, tenant);
      expect(b.spentUsd).toBeCloseTo(spent, 9);
      const forecast =
        now > rateFrom ? spent + ((await exactCost(rateFrom, tenant)) / (now - rateFrom)) * (monthEnd - now) : spent;
      expect(b.forecastUsd).toBeCloseTo(forecast, 9);
      expect(b.spentFraction).toBeCloseTo(spent / b.monthlyUsd, 9);
      // Time to exhaustion at the last 24 h's rate, as exhaustionOf defines it.
      const lastDayUsd = await exactCost(now - DAY, tenant);
      const runsOut = exhaustionOf({ spentUsd: spent, forecastUsd: forecast, lastDayUsd }, b.monthlyUsd, {
        nowMs: now,
        monthEndMs: monthEnd,
      });
      if (runsOut === null) expect(b.exhaustsAt).toBeNull();
      else expect(Date.parse(b.exhaustsAt!)).toBeCloseTo(runsOut, -3);
    }
    expect(budgets.map((b) => b.tenantId)).toEqual(['*', 'tenant-0']);
    // At the month's first instant (a run at 00:00 on the 1st found no budgets at all): each
    // budget, nothing spent or forecast yet, and the last day's spend (last month's) for when it
    // would run out.
    const start = await readBudgets(db.pool, SERVICE_CALLER, { projectId, at: new Date(monthStart) });
    expect(start.budgets.map((b) => [b.tenantId, b.spentUsd, b.forecastUsd])).toEqual([
      ['*', 0, 0],
      ['tenant-0', 0, 0],
    ]);
    for (const b of start.budgets) {
      const tenant = b.tenantId === '*' ? undefined : b.tenantId;
      const [lastDay] = await readMetrics(db.pool, SERVICE_CALLER, {
        projectId,
        window: window(monthStart - DAY, monthStart),
        exact: true,
        ...(tenant ? { filters: { tenant_id: [tenant] } } : {}),
      });
      const runsOut = exhaustionOf({ spentUsd: 0, forecastUsd: 0, lastDayUsd: lastDay?.costUsd ?? 0 }, b.monthlyUsd, {
        nowMs: monthStart,
        monthEndMs: monthEnd,
      });
      if (runsOut === null) expect(b.exhaustsAt).toBeNull();
      else expect(Date.parse(b.exhaustsAt!)).toBeCloseTo(runsOut, -3);
    }
  });

  it('after a final compaction, nothing is pending and the answers are unchanged', async () => {
    const q = { projectId, window: window(now - 4 * DAY - 60_000, now + 60_000), groupBy: ['category' as const] };
    await compactRollups(db.pool, { nowMs: now + 10 * 60_000 });
    const { rows } = await db.pool.query(`select count(*)::int as n from rollups_minute where pending`);
    expect(rows[0].n).toBe(0);
    const exact = await readMetrics(db.pool, SERVICE_CALLER, { ...q, exact: true });
    expectSameNumbers(await readMetrics(db.pool, SERVICE_CALLER, q), exact, (p) => p.group.category!);
    // The late spans went into an hour and a day that were already built; read them from there.
    const lateHours = {
      projectId,
      window: window(Math.floor((now - 4 * DAY) / DAY) * DAY, Math.floor(now / HOUR) * HOUR - HOUR),
      stepMs: HOUR,
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, lateHours),
      await readMetrics(db.pool, SERVICE_CALLER, { ...lateHours, exact: true }),
      (p) => p.bucket!,
    );
    const days = {
      projectId,
      window: window(Math.floor((now - 4 * DAY) / DAY) * DAY, Math.floor(now / DAY) * DAY),
      stepMs: DAY,
    };
    expectSameNumbers(
      await readMetrics(db.pool, SERVICE_CALLER, days),
      await readMetrics(db.pool, SERVICE_CALLER, { ...days, exact: true }),
      (p) => p.bucket!,
    );
  });

  it('stores every swept or built row with one normalised histogram (each key once, in order)', async () => {
    for (const table of ['rollups_minute', 'rollups_hour', 'rollups_day']) {
      const { rows } = await db.pool.query(
        `select latency_hist, ttft_hist from ${table} where swept and project_id = $1`,
        [projectId],
      );
      expect(rows.length, table).toBeGreaterThan(0);
      for (const row of rows) {
        for (const hist of [row.latency_hist, row.ttft_hist]) {
          if (!hist) continue;
          const keys = pairKeys(hist);
          expect(keys, table).toEqual([...new Set(keys)].sort((x, y) => x - y));
        }
      }
    }
  });
});
