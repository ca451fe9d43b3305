// npm run bench:query — the dashboard's and alert engine's questions over 10M spans, answered from
// rollups through the query API, against the same questions answered exactly from raw spans; and
// the raw-path drill-downs (recent traces, one trace) that have no rollup.
//
// 1. Opens the dataset of each size asked (`--spans 10000000,50000000`; 10M alone by default):
//    query-dataset.ts generates it once with the bulk path, keeps it in .vigil/bench-query and
//    reuses it when its parameters match (BENCH_REGENERATE=1 forces a new one).
// 2. Times a fixed suite through the query API as a project member (RLS on): 20 runs per query
//    after warm-up; the raw suite 3 runs per query; the drill-downs 20 runs each.
// 3. Compares every quantile with percentile_cont on the raw spans.
// Prints for each size: query p95_ms=<slowest rollup query's p95> raw_ms=<raw suite> speedup=<raw/rollup>
//   max_rel_err=<worst quantile error> drilldown_p95_ms=<slowest drill-down's p95> spans=<size>
// and, when more than one size ran, last: query_scaling p95_ms_<size>=… … growth=<last/first>
//   drilldown_p95_ms_<size>=… …

import { type CostSliResult, readCostSli, readMetrics, readSli } from '../src/query/read-metrics.ts';
import { parseArgs } from 'node:util';
import { readTopSessions } from '../src/query/read-sessions.ts';
import { readTrace, readTraces } from '../src/query/read-traces.ts';
import type { Caller } from '../src/query/caller.ts';
import type { MetricsPoint } from '../src/query/metrics.ts';
import { DEFAULT_SPANS, log, openQueryDataset, type QueryDataset } from './query-dataset.ts';

const RUNS = 20;
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 3);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

interface SuiteResult {
  totalSpans: number;
  p95Ms: number;
  drilldownP95Ms: number;
}

/** The suite on one dataset: its line, and the figures the scaling line compares. */
async function runSuite({ pool, projectId, endMs, totalSpans }: QueryDataset): Promise<SuiteResult> {
  const caller: Caller = { role: 'authenticated', projectId };
  const w = (ms: number) => ({ from: new Date(endMs - ms), to: new Date(endMs) });
  const model = { category: ['model'] };
  const suite: {
    name: string;
    run: (exact: boolean) => Promise<unknown>;
    error?: (r: unknown, e: unknown) => number;
  }[] = [
    ...[
      ['24h', DAY],
      ['7d', 7 * DAY],
    ].map(([label, ms]) => ({
      name: `p95 by model, ${label}`,
      run: (exact: boolean) =>
        readMetrics(pool, caller, {
          projectId,
          window: w(ms as number),
          filters: model,
          groupBy: ['model'],
          quantiles: [0.95],
          quantilesOf: ['latency'],
          exact,
        }),
      error: (r: unknown, e: unknown) =>
        worstQuantileError(r as MetricsPoint[], e as MetricsPoint[], (p) => p.group.model!),
    })),
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

  // Raw-path drill-downs: the Sessions page's trace list and the trace view. No rollup answers them,
  // so they are timed alone, each as the dashboard asks it.
  const recent = await readTraces(pool, caller, { projectId, window: w(HOUR), limit: 50 });
  const traceId = recent[0]?.traceId;
  if (!traceId) throw new Error('the dataset has no trace in its last hour');
  const sessionId = recent.find((t) => t.sessionId !== null)?.sessionId;
  if (!sessionId) throw new Error('the dataset has no session in its last hour');
  const drilldowns: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'recent traces, 1h', run: () => readTraces(pool, caller, { projectId, window: w(HOUR), limit: 50 }) },
    {
      name: "one tenant's traces, 24h",
      run: () =>
        readTraces(pool, caller, { projectId, window: w(DAY), filters: { tenant_id: ['tenant-07'] }, limit: 50 }),
    },
    {
      name: 'error traces, 24h',
      run: () => readTraces(pool, caller, { projectId, window: w(DAY), errorsOnly: true, limit: 50 }),
    },
    {
      name: "one session's traces, 24h",
      run: () => readTraces(pool, caller, { projectId, window: w(DAY), sessionId, limit: 200 }),
    },
    { name: 'one trace by id', run: () => readTrace(pool, caller, { projectId, traceId }) },
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
  let drilldownP95 = 0;
  for (const d of drilldowns) {
    const timed = await time(RUNS, d.run);
    const p95 = percentile(timed.ms, 0.95);
    drilldownP95 = Math.max(drilldownP95, p95);
    log(
      `${d.name.padEnd(30)} raw p50 ${median(timed.ms).toFixed(1).padStart(9)} ms  p95 ${p95.toFixed(1).padStart(7)} ms`,
    );
  }
  console.log(
    `query p95_ms=${slowestP95.toFixed(1)} raw_ms=${rawTotal.toFixed(0)} speedup=${(rawTotal / rollupTotal).toFixed(0)} max_rel_err=${maxRelErr.toFixed(4)} drilldown_p95_ms=${drilldownP95.toFixed(1)} spans=${totalSpans}`,
  );
  return { totalSpans, p95Ms: slowestP95, drilldownP95Ms: drilldownP95 };
}

/** "10m" for 10,000,000 spans, "500k" for 500,000. */
function sizeLabel(spans: number): string {
  return spans >= 1_000_000 ? `${spans / 1_000_000}m` : `${spans / 1000}k`;
}

function sizesAsked(): number[] {
  const { values } = parseArgs({ options: { spans: { type: 'string' } } });
  if (!values.spans) return [DEFAULT_SPANS];
  const sizes = values.spans.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 10_000))
    throw new Error(`--spans takes span counts of at least 10000, comma-separated: got "${values.spans}"`);
  return sizes;
}

async function main(): Promise<void> {
  const results: SuiteResult[] = [];
  // One size at a time: each dataset has the machine to itself while it is timed.
  for (const size of sizesAsked()) {
    const dataset = await openQueryDataset(size);
    try {
      results.push(await runSuite(dataset));
    } finally {
      await dataset.close();
    }
  }
  if (results.length < 2) return;
  const first = results[0]!;
  const last = results.at(-1)!;
  const each = (key: 'p95Ms' | 'drilldownP95Ms', name: string) =>
    results.map((r) => `${name}_${sizeLabel(r.totalSpans)}=${r[key].toFixed(1)}`).join(' ');
  console.log(
    `query_scaling ${each('p95Ms', 'p95_ms')} growth=${(last.p95Ms / first.p95Ms).toFixed(2)} ${each('drilldownP95Ms', 'drilldown_p95_ms')}`,
  );
}

await main();
