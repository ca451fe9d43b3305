// The query benches' dataset: 10M spans over 30 days (50 tenants, 8 models, 20 surfaces, Zipf
// skew, daily cycle, slow tails, errors), loaded with the bulk path (spans and pending rollup
// deltas in one transaction per slice, compacting and enforcing retention as
// simulated time passes, as if live). Kept in .vigil/bench-query, one database per size, and reused
// when its parameters match (BENCH_REGENERATE=1 forces a new one), so bench:query and
// bench:storage share one generation.

import path from 'node:path';
import pg from 'pg';
import { createPool } from '../src/db/database.ts';
import { type RunningPostgres, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { enforceRetention } from '../src/rollups/retention.ts';
import { generateSlices } from './query-workload.ts';

/** The size bench:storage and bench:dashboard read, and bench:query's when not given `--spans`. */
export const DEFAULT_SPANS = Number(process.env.BENCH_SPANS ?? 10_000_000);
export const DAYS = 30;
export const TENANTS = 50;
export const SURFACES = 20;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLICE_MS = 2 * HOUR;
const VERSION = 19;

const datasetKey = (totalSpans: number) =>
  `spans=${totalSpans};days=${DAYS};tenants=${TENANTS};surfaces=${SURFACES};v=${VERSION}`;

/** The 10M dataset keeps the database name bench:dashboard opens; other sizes get their own. */
function datasetDatabase(totalSpans: number): string {
  return totalSpans === 10_000_000 ? 'vigil_bench_query' : `vigil_bench_query_${totalSpans}`;
}

const root = path.resolve(import.meta.dirname, '../..');

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function loadDataset(pool: pg.Pool, totalSpans: number, endMs: number): Promise<string> {
  const projectId = (await createProject(pool, 'bench')).id;
  const startMs = endMs - DAYS * DAY;
  // As if the compactor had been running all along: hours and days get built as time passes.
  await pool.query(`update rollup_progress set built_until = $1`, [new Date(Math.floor(startMs / DAY) * DAY)]);
  const started = performance.now();
  let loaded = 0;
  let loadMs = 0;
  let upkeepMs = 0;
  // One slice at a time, then time passes for the rollups as for a live collector. Storing the
  // next slice while compaction runs was tried: deltas folded before their minute closes must be
  // swept again, and with loads a day ahead compaction cost about 15 times as much per slice.
  for (const slice of generateSlices({
    projectId,
    startMs,
    endMs,
    totalSpans,
    tenants: TENANTS,
    surfaces: SURFACES,
    sliceMs: SLICE_MS,
  })) {
    const began = performance.now();
    await bulkLoadSpans(pool, slice.spans);
    loaded += slice.spans.length;
    const stored = performance.now();
    await compactRollups(pool, { nowMs: Math.min(slice.endMs + 3 * MINUTE, endMs) });
    // The collector's maintenance runs retention hourly, and its vacuum frees what retention and
    // the compactor deleted. Run once a simulated day instead, the minute rollups held 5 days'
    // space for 4 days' rows: 149 MB on the 1M-span dataset, 101 MB run after every slice.
    await enforceRetention(pool, undefined, slice.endMs);
    loadMs += stored - began;
    upkeepMs += performance.now() - stored;
    if (Math.floor(loaded / 1_000_000) !== Math.floor((loaded - slice.spans.length) / 1_000_000)) {
      log(
        `loaded ${loaded} spans (${Math.round(loaded / ((performance.now() - started) / 1000))} spans/s; storing ${(loadMs / 1000).toFixed(0)} s, compaction and retention ${(upkeepMs / 1000).toFixed(0)} s)`,
      );
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
  await enforceRetention(pool, undefined, endMs);
  log('vacuum analyze…');
  await pool.query('vacuum analyze');
  await pool.query(`create table if not exists bench_meta (dataset text, project_id uuid, end_ms bigint)`);
  await pool.query(`insert into bench_meta values ($1, $2, $3)`, [datasetKey(totalSpans), projectId, endMs]);
  return projectId;
}

export interface QueryDataset {
  totalSpans: number;
  server: RunningPostgres;
  pool: pg.Pool;
  projectId: string;
  endMs: number;
  close(): Promise<void>;
}

/** The dataset of this many spans, generated when missing or when its parameters changed. */
export async function openQueryDataset(totalSpans = DEFAULT_SPANS): Promise<QueryDataset> {
  const dataset = datasetKey(totalSpans);
  const database = datasetDatabase(totalSpans);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, '.vigil/bench-query'),
    port: Number(process.env.BENCH_PG_PORT ?? 54341),
  });
  try {
    const adminUrl = server.url;
    const url = adminUrl.replace(/\/postgres$/, `/${database}`);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const exists = (await admin.query(`select 1 from pg_database where datname = $1`, [database])).rowCount === 1;
    let reuse = false;
    if (exists && process.env.BENCH_REGENERATE !== '1') {
      const probe = new pg.Client({ connectionString: url });
      await probe.connect();
      const meta = await probe
        .query(`select dataset from bench_meta`)
        .catch(() => ({ rows: [] as { dataset: string }[] }));
      await probe.end();
      reuse = meta.rows[0]?.dataset === dataset;
    }
    if (!reuse) {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.query(`create database ${database}`);
    }
    await admin.end();
    const pool = createPool(url, { poolSize: 4, applicationName: 'vigil-bench' });
    const client = await pool.connect();
    await migrate(client);
    client.release();
    let projectId: string;
    let endMs: number;
    if (reuse) {
      const { rows } = await pool.query(`select project_id, end_ms from bench_meta`);
      projectId = rows[0].project_id;
      endMs = Number(rows[0].end_ms);
      log(`reusing the generated dataset (${dataset}); BENCH_REGENERATE=1 builds a new one`);
    } else {
      endMs = Math.floor(Date.now() / MINUTE) * MINUTE;
      log(`generating and loading ${totalSpans} spans over ${DAYS} days…`);
      const started = performance.now();
      projectId = await loadDataset(pool, totalSpans, endMs);
      log(`loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    const { rows: sizes } = await pool.query(
      `select (select count(*) from spans)::float8 as spans, (select count(*) from rollups_minute)::float8 as minute_rows,
              (select count(*) from rollups_hour)::float8 as hour_rows, (select count(*) from rollups_day)::float8 as day_rows,
              (select count(*) from sessions)::float8 as sessions, (select count(*) from rollups_minute where pending)::float8 as pending`,
    );
    log(`dataset: ${JSON.stringify(sizes[0])}`);
    return {
      totalSpans,
      server,
      pool,
      projectId,
      endMs,
      close: async () => {
        await pool.end();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
