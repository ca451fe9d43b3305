// npm run bench:query — the dashboard's and alert engine's questions over 10M spans, answered from
// rollups through the query API, against the same questions answered exactly from raw spans.
//
// 1. Generates 10M spans over 30 days (50 tenants, 8 models, 20 surfaces, Zipf skew, daily cycle,
//    slow tails, errors) and loads them with the bulk path: spans, ai_api_calls and pending rollup
//    deltas in one transaction per slice, compacting as simulated time passes (as if live).
//    The dataset is kept in .vigil/bench-query and reused when its parameters match
//    (BENCH_REGENERATE=1 forces a new one).
// 2. Times a fixed suite through the query API as a project member (RLS on): 20 runs per query
//    after warm-up; the raw suite 3 runs per query.
// 3. Compares every quantile with percentile_cont on the raw spans.
// Prints: query p95_ms=<slowest query's p95> raw_ms=<raw suite> speedup=<raw/rollup> max_rel_err=<worst quantile error>

import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { createPool } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { type CostSliResult, readCostSli, readMetrics, readSli } from '../src/query/read-metrics.ts';
import { readTopSessions } from '../src/query/read-sessions.ts';
import type { Caller } from '../src/query/caller.ts';
import type { MetricsPoint } from '../src/query/metrics.ts';
import { generateSlices } from './query-workload.ts';

const TOTAL_SPANS = Number(process.env.BENCH_SPANS ?? 10_000_000);
const DAYS = 30;
const TENANTS = 50;
const SURFACES = 20;
const RUNS = 20;
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 3);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLICE_MS = 2 * HOUR;
const DATASET = `spans=${TOTAL_SPANS};days=${DAYS};tenants=${TENANTS};surfaces=${SURFACES};v=10`;

const root = path.resolve(import.meta.dirname, '../..');

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function loadDataset(pool: pg.Pool, endMs: number): Promise<string> {
  const projectId = (await createProject(pool, 'bench')).id;
  const startMs = endMs - DAYS * DAY;
  // As if the compactor had been running all along: hours and days get built as time passes.
  await pool.query(`update rollup_progress set built_until = $1`, [new Date(Math.floor(startMs / DAY) * DAY)]);
  const started = performance.now();
  let loaded = 0;
  for (const slice of generateSlices({
    projectId,
    startMs,
    endMs,
    totalSpans: TOTAL_SPANS,
    tenants: TENANTS,
    surfaces: SURFACES,
    sliceMs: SLICE_MS,
  })) {
    await bulkLoadSpans(pool, slice.spans);
    loaded += slice.spans.length;
    await compactRollups(pool, { nowMs: Math.min(slice.endMs + 3 * MINUTE, endMs) });
    if (Math.floor(loaded / 1_000_000) !== Math.floor((loaded - slice.spans.length) / 1_000_000)) {
      log(`loaded ${loaded} spans (${Math.round(loaded / ((performance.now() - started) / 1000))} spans/s)`);
    }
  }
  // The live tail: the last seconds of traffic, which the compactor has not folded in yet.
  for (const tail of generateSlices({
    projectId,
    startMs: endMs - 5000,
    endMs,
    totalSpans: 60,
    tenants: TENANTS,
    surfaces: SURFACES,
    sliceMs: SLICE_MS,
  })) {
    await bulkLoadSpans(pool, tail.spans);
  }
  log('vacuum analyze…');
  await pool.query('vacuum analyze');
  await pool.query(`create table if not exists bench_meta (dataset text, project_id uuid, end_ms bigint)`);
  await pool.query(`insert into bench_meta values ($1, $2, $3)`, [DATASET, projectId, endMs]);
  return projectId;
}

interface Timed<T> {
  result: T;
  ms: number[];
}

async function time<T>(runs: number, fn: () => Promise<T>): Promise<Timed<T>> {
  await fn(); // warm-up
  const ms: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await fn();
    ms.push(performance.now() - started);
  }
  return { result, ms };
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function worstQuantileError(rollup: MetricsPoint[], exact: MetricsPoint[], key: (p: MetricsPoint) => string): number {
  const byKey = new Map(exact.map((p) => [key(p), p]));
  let worst = 0;
  for (const r of rollup) {
    const e = byKey.get(key(r));
    if (!e) throw new Error(`rollup answer has a group the raw answer lacks: ${key(r)}`);
    for (const metric of ['latencyMs', 'ttftMs'] as const) {
      for (const [label, value] of Object.entries(e[metric].quantiles)) {
        const got = r[metric].quantiles[label];
        if (value === null || value === 0 || got === null || got === undefined) continue;
        worst = Math.max(worst, Math.abs(got - value) / value);
      }
    }
  }
  if (rollup.length !== exact.length) throw new Error(`rollup answered ${rollup.length} groups, raw ${exact.length}`);
  return worst;
}

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, '.vigil/bench-query'),
    port: Number(process.env.BENCH_PG_PORT ?? 54341),
  });
  const adminUrl = server.url;
  const url = adminUrl.replace(/\/postgres$/, '/vigil_bench_query');
  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const exists = (await admin.query(`select 1 from pg_database where datname = 'vigil_bench_query'`)).rowCount === 1;
    let reuse = false;
    if (exists && process.env.BENCH_REGENERATE !== '1') {
      const probe = new pg.Client({ connectionString: url });
      await probe.connect();
      const meta = await probe
        .query(`select dataset from bench_meta`)
        .catch(() => ({ rows: [] as { dataset: string }[] }));
      await probe.end();
      reuse = meta.rows[0]?.dataset === DATASET;
    }
    if (!reuse) {
      await admin.query(`drop database if exists vigil_bench_query with (force)`);
      await admin.query(`create database vigil_bench_query`);
    }
    await admin.end();
    const pool = createPool(url, { poolSize: 4, applicationName: 'vigil-bench' });
    try {
      const client = await pool.connect();
      await migrate(client);
      client.release();
      let projectId: string;
      let endMs: number;
      if (reuse) {
        const { rows } = await pool.query(`select project_id, end_ms from bench_meta`);
        projectId = rows[0].project_id;
        endMs = Number(rows[0].end_ms);
        log(`reusing the generated dataset (${DATASET}); BENCH_REGENERATE=1 builds a new one`);
      } else {
        endMs = Math.floor(Date.now() / MINUTE) * MINUTE;
        log(`generating and loading ${TOTAL_SPANS} spans over ${DAYS} days…`);
        const started = performance.now();
        projectId = await loadDataset(pool, endMs);
        log(`loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      const { rows: sizes } = await pool.query(
        `select (select count(*) from spans)::float8 as spans, (select count(*) from rollups_minute)::float8 as minute_rows,
                (select count(*) from rollups_hour)::float8 as hour_rows, (select count(*) from rollups_day)::float8 as day_rows,
                (select count(*) from sessions)::float8 as sessions, (select count(*) from rollups_minute where pending)::float8 as pending`,
      );
      log(`dataset: ${JSON.stringify(sizes[0])}`);
      const caller: Caller = { role: 'authenticated', projectId };
      const w = (ms: number) => ({ from: new Date(endMs - ms), to: new Date(endMs) });
      const model = { category: ['model'] };
      const suite: {
        name: string;
        run: (exact: boolean) => Promise<unknown>;
        error?: (r: unknown, e: unknown) => number;
      }[] = [
        {
          name: 'p95 by model, 24h',
          run: (exact) =>
            readMetrics(pool, caller, {
              projectId,
              window: w(DAY),
              filters: model,
              groupBy: ['model'],
              quantiles: [0.95],
              quantilesOf: ['latency'],
              exact,
            }),
          error: (r, e) => worstQuantileError(r as MetricsPoint[], e as MetricsPoint[], (p) => p.group.model!),
        },
        {
          name: 'p95 by model, 7d',
          run: (exact) =>
            readMetrics(pool, caller, {
              projectId,
              window: w(7 * DAY),
              filters: model,
              groupBy: ['model'],
              quantiles: [0.95],
              quantilesOf: ['latency'],
              exact,
            }),
          error: (r, e) => worstQuantileError(r as MetricsPoint[], e as MetricsPoint[], (p) => p.group.model!),
        },
        {
          name: 'TTFT p95 series, 24h at 1m',
          run: (exact) =>
            readMetrics(pool, caller, {
              projectId,
              window: w(DAY),
              filters: model,
              stepMs: MINUTE,
              quantiles: [0.95],
              quantilesOf: ['ttft'],
              exact,
            }),
          error: (r, e) => worstQuantileError(r as MetricsPoint[], e as MetricsPoint[], (p) => p.bucket!),
        },
        {
          name: 'cost by tenant, 30d',
          run: (exact) =>
            readMetrics(pool, caller, {
              projectId,
              window: w(30 * DAY),
              groupBy: ['tenant_id'],
              quantiles: [],
              orderBy: 'cost',
              exact,
            }),
        },
        {
          name: 'top 20 sessions by cost, 30d',
          run: async (exact) =>
            exact
              ? (
                  await pool.query(
                    `select tenant_id, session_id, sum(cost_usd) as cost from spans where project_id = $1 and session_id is not null
                      and start_time >= $2 and start_time < $3 group by 1, 2 order by cost desc nulls last limit 20`,
                    [projectId, w(30 * DAY).from, w(30 * DAY).to],
                  )
                ).rows
              : readTopSessions(pool, caller, { projectId, window: w(30 * DAY), limit: 20 }),
        },
        // A cost-per-call SLO's windows, from the rollups' cost distributions (raw: count(*) filter).
        ...[HOUR, DAY, 30 * DAY].map((ms) => ({
          name: `cost SLI, ${ms / HOUR}h`,
          run: (exact: boolean) =>
            readCostSli(pool, caller, { projectId, window: w(ms), filters: model, maxUsd: 0.002, exact }),
          // Calls within a bucket's 1% of the limit may land on either side: the share misjudged.
          error: (r: unknown, e: unknown) =>
            Math.abs((r as CostSliResult).good - (e as CostSliResult).good) / Math.max(1, (e as CostSliResult).total),
        })),
        ...[5 * MINUTE, HOUR, 6 * HOUR].map((ms) => ({
          name: `burn-rate SLI, ${ms / MINUTE}m`,
          run: (exact: boolean) =>
            readSli(pool, caller, {
              projectId,
              window: w(ms),
              filters: { surface: ['/api/chat'] },
              thresholdMs: 3000,
              exact,
            }),
        })),
      ];

      const lines: string[] = [];
      let slowestP95 = 0;
      let rollupTotal = 0;
      let rawTotal = 0;
      let maxRelErr = 0;
      for (const q of suite) {
        const rollup = await time(RUNS, () => q.run(false));
        const raw = await time(RAW_RUNS, () => q.run(true));
        const p95 = percentile(rollup.ms, 0.95);
        slowestP95 = Math.max(slowestP95, p95);
        rollupTotal += median(rollup.ms);
        rawTotal += median(raw.ms);
        const error = q.error ? q.error(rollup.result, raw.result) : null;
        if (error !== null) maxRelErr = Math.max(maxRelErr, error);
        lines.push(
          `${q.name.padEnd(30)} rollup p50 ${median(rollup.ms).toFixed(1).padStart(7)} ms  p95 ${p95.toFixed(1).padStart(7)} ms   raw ${median(raw.ms).toFixed(0).padStart(7)} ms` +
            (error !== null ? `   max rel err ${error.toFixed(4)}` : ''),
        );
      }
      for (const line of lines) log(line);
      log(
        `speedup = (sum of raw medians ${rawTotal.toFixed(0)} ms) / (sum of rollup medians ${rollupTotal.toFixed(1)} ms)`,
      );
      console.log(
        `query p95_ms=${slowestP95.toFixed(1)} raw_ms=${rawTotal.toFixed(0)} speedup=${(rawTotal / rollupTotal).toFixed(0)} max_rel_err=${maxRelErr.toFixed(4)}`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await server.stop();
  }
}

await main();
