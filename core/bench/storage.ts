// npm run bench:storage — bytes per span on disk, every table and index counted, on the query
// benches' 10M-span dataset (query-dataset.ts: generated once with the bulk path and shared with
// bench:query), against the same span rows in a plain table with one index on (trace_id, span_id).
//
// Per table (partitions summed): heap, TOAST and indexes. Raw is spans and ai_api_calls; rollups
// are rollups_minute, _hour and _day; the total is every table of the schema (sessions, the
// waiting-parent table, alerting) over the span count.
// Last line: storage bytes_per_span=… raw_bytes_per_span=… rollup_bytes_per_span=… plain_bytes_per_span=…

import type pg from 'pg';
import { log, openQueryDataset } from './query-dataset.ts';

interface TableSize {
  table: string;
  rows: number;
  heap: number;
  toast: number;
  indexes: number;
}

const RAW = ['spans', 'ai_api_calls'];
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

/** The spans' rows as a plain table with one index, the floor a span store is compared with. */
async function plainBytes(pool: pg.Pool): Promise<number> {
  await pool.query('drop table if exists bench_plain_spans');
  await pool.query('create table bench_plain_spans as select * from spans');
  await pool.query('create index on bench_plain_spans (trace_id, span_id)');
  await pool.query('vacuum analyze bench_plain_spans');
  const { rows } = await pool.query<{ bytes: number }>(
    `select pg_total_relation_size('bench_plain_spans')::float8 as bytes`,
  );
  await pool.query('drop table bench_plain_spans');
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
    console.log(
      `storage bytes_per_span=${perSpan(sum(null))} raw_bytes_per_span=${perSpan(sum(RAW))} rollup_bytes_per_span=${perSpan(sum(ROLLUPS))} plain_bytes_per_span=${perSpan(plain)}`,
    );
  } finally {
    await dataset.close();
  }
}

await main();
