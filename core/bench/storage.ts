// npm run bench:storage — bytes per span on disk, every table and index counted, on the query
// benches' 10M-span dataset (query-dataset.ts: generated once with the bulk path and shared with
// bench:query), against the same span rows in a plain table with one index on (trace_id, span_id).
//
// Per table (partitions summed): heap, TOAST and indexes. Raw is span_rows, the table under the view
// spans, with its dictionary span_dimensions (ai_api_calls is a view of its model calls and of the
// rows an app wrote itself, in app_ai_api_calls); rollups
// are rollups_minute, _hour and _day; the total is every table of the schema (sessions, the
// waiting-parent table, alerting) over the span count.
//
// The dataset spans 30 days, the raw spans' retention, but day rollups, sessions and the hours of
// the small cuboids are kept 13 months: at the same traffic they keep growing for a year after the
// spans stop. `steady_bytes_per_span` projects them to their retention (rows per day are constant
// at constant traffic and cardinality), over the 30 days of spans then kept.
// Last line: storage bytes_per_span=… raw_bytes_per_span=… rollup_bytes_per_span=… plain_bytes_per_span=… steady_bytes_per_span=…

import type pg from 'pg';
import { CUBOIDS } from '../src/rollups/cuboids.ts';
import { SPAN_FIELD_COLUMNS } from '../src/spans/columns.ts';
import { DEFAULT_RETENTION } from '../src/rollups/retention.ts';
import { DAYS, log, openQueryDataset } from './query-dataset.ts';

interface TableSize {
  table: string;
  rows: number;
  heap: number;
  toast: number;
  indexes: number;
}

// span_rows is the table under the view spans; span_dimensions holds its rows' dimension combinations.
const RAW = ['span_rows', 'span_dimensions', 'app_ai_api_calls'];
const ROLLUPS = ['rollups_minute', 'rollups_hour', 'rollups_day'];

/** Each top-level table of the public schema, its partitions summed. */
async function tableSizes(pool: pg.Pool): Promise<TableSize[]> {
  const { rows } = await pool.query<{ table: string; rows: number; heap: number; toast: number; indexes: number }>(
    `select top.relname as table,
            sum(greatest(part.reltuples, 0))::float8 as rows,
            sum(pg_table_size(part.oid) - coalesce(pg_total_relation_size(nullif(part.reltoastrelid, 0)), 0))::float8 as heap,
            sum(coalesce(pg_total_relation_size(nullif(part.reltoastrelid, 0)), 0))::float8 as toast,
            sum(pg_indexes_size(part.oid))::float8 as indexes
       from pg_class top
       join pg_namespace n on n.oid = top.relnamespace and n.nspname = 'public'
       -- A partitioned table's leaves; a plain table (pg_partition_tree gives it no rows) itself.
       cross join lateral (
         select relid from pg_partition_tree(top.oid) where isleaf
         union all select top.oid where top.relkind = 'r') tree
       join pg_class part on part.oid = tree.relid
      where top.relkind in ('r', 'p') and not top.relispartition
      group by top.relname
      order by sum(pg_total_relation_size(part.oid)) desc`,
  );
  return rows;
}

/**
 * The spans' rows as a plain table with one index, the floor a span store is compared with: the
 * view's rows, values as text (its combination codes left out), as a span store without a
 * dictionary would keep them.
 */
async function plainBytes(pool: pg.Pool): Promise<number> {
  await pool.query('drop table if exists bench_plain_spans');
  await pool.query(
    `create table bench_plain_spans as select ${Object.values(SPAN_FIELD_COLUMNS).join(', ')} from spans`,
  );
  await pool.query('create index on bench_plain_spans (trace_id, span_id)');
  await pool.query('vacuum analyze bench_plain_spans');
  const { rows } = await pool.query<{ bytes: number }>(
    `select pg_total_relation_size('bench_plain_spans')::float8 as bytes`,
  );
  await pool.query('drop table bench_plain_spans');
  return rows[0]!.bytes;
}

/**
 * The bytes kept as long as rollups (13 months), not as long as raw spans: day rollups, sessions,
 * and the hour partitions whose cuboids all keep long hours.
 */
async function longKeptBytes(pool: pg.Pool): Promise<number> {
  const long = new Set(CUBOIDS.filter((c) => c.longHours).map((c) => c.id));
  const { rows: leaves } = await pool.query<{ leaf: string; cuboids: number[] }>(
    `select tableoid::regclass::text as leaf, array_agg(distinct cuboid)::int[] as cuboids from rollups_hour group by 1`,
  );
  const longLeaves = leaves.filter((l) => l.cuboids.every((c) => long.has(c))).map((l) => l.leaf);
  const { rows } = await pool.query<{ bytes: number }>(
    `select (coalesce((select sum(pg_total_relation_size(l::regclass)) from unnest($1::text[]) l), 0)
           + (select sum(pg_total_relation_size(relid)) from pg_partition_tree('rollups_day'))
           + pg_total_relation_size('sessions'))::float8 as bytes`,
    [longLeaves],
  );
  return rows[0]!.bytes;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const dataset = await openQueryDataset();
  try {
    const { pool } = dataset;
    await pool.query('vacuum analyze');
    const spans = Number((await pool.query(`select count(*)::float8 as n from spans`)).rows[0].n);
    const sizes = await tableSizes(pool);
    const total = (t: TableSize) => t.heap + t.toast + t.indexes;
    const sum = (names: string[] | null) =>
      sizes.filter((t) => names === null || names.includes(t.table)).reduce((a, t) => a + total(t), 0);
    log(`${spans} spans`);
    for (const t of sizes.filter((s) => total(s) > 1024 * 1024))
      log(
        `${t.table.padEnd(24)} ${mb(total(t)).padStart(8)}  heap ${(t.heap / spans).toFixed(1)} B/span, TOAST ${(t.toast / spans).toFixed(1)}, indexes ${(t.indexes / spans).toFixed(1)} (${Math.round(t.rows)} rows)`,
      );
    const plain = await plainBytes(pool);
    const perSpan = (bytes: number) => (bytes / spans).toFixed(0);
    const longKept = await longKeptBytes(pool);
    const steady = sum(null) + longKept * (DEFAULT_RETENTION.rollupDays / DAYS - 1);
    log(
      `kept ${DEFAULT_RETENTION.rollupDays} days (day rollups, sessions, long-kept hours): ${(longKept / spans).toFixed(1)} B/span over ${DAYS} days; at their retention ${perSpan(longKept * (DEFAULT_RETENTION.rollupDays / DAYS))}`,
    );
    console.log(
      `storage bytes_per_span=${perSpan(sum(null))} raw_bytes_per_span=${perSpan(sum(RAW))} rollup_bytes_per_span=${perSpan(sum(ROLLUPS))} plain_bytes_per_span=${perSpan(plain)} steady_bytes_per_span=${perSpan(steady)}`,
    );
  } finally {
    await dataset.close();
  }
}

await main();
