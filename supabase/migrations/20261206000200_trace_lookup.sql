-- The spans' trace index leads with project_id again: (project_id, trace_id), where
-- 20261205000000_span_keys made it (trace_id). Every trace lookup also says project_id = $1, and on
-- a partition not yet analysed (today's, filling fast) the planner took that for a selective
-- condition and walked the primary key (project_id, start_time, …), which matches every row of a
-- project's partition: the collector's ancestor lookups took 13 ms each and its late fix-ups 24 ms
-- in bench:ingest (pg_stat_statements), and Postgres spent 40 CPU-seconds per million spans where
-- it had spent 30. A trace's entries still share one key (B-tree deduplication), so the wider key
-- costs about 16 bytes per trace, not per span.
drop index if exists public.spans_trace_idx;
create index if not exists spans_trace_idx on public.spans (project_id, trace_id);
