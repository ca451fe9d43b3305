-- A span whose duration is unknown stores null, never zero (issue 17: Codex CLI reports its model
-- calls as events that carry their usage but no duration; and an OTLP span whose end precedes its
-- start, or whose times are not numbers, has no duration to tell either).
--
-- Rollups count such spans as calls (span_count, errors, usage, cost) and leave them out of
-- latency: not in duration_sum_ms or latency_hist, and counted in untimed_count, so a mean or a
-- latency SLI divides by span_count - untimed_count. Every row built before held only timed spans,
-- which the default 0 says (a metadata-only change, no row is rewritten).

alter table public.spans alter column duration_ms drop not null;

alter table public.rollups_minute add column if not exists untimed_count bigint not null default 0;
alter table public.rollups_hour add column if not exists untimed_count bigint not null default 0;
alter table public.rollups_day add column if not exists untimed_count bigint not null default 0;
alter table public.metric_rollup_deltas add column if not exists untimed_count bigint not null default 0;
