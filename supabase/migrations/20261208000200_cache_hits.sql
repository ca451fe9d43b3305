-- Cache hit rate (issue 18): a cache lookup's span says whether it hit, and rollups count hits and
-- misses per key, so hit rate per surface and cache, the model spend hits saved, and SLOs on the
-- hit ratio come from rollups like every other answer.
--
-- spans.cache_hit is null for every span that is not a cache lookup, and for a lookup whose
-- instrumentation did not say (unknown, never counted as a miss). Adding a nullable column and
-- columns with a constant default rewrites no table.

alter table public.spans add column if not exists cache_hit boolean;

alter table public.rollups_minute
  add column if not exists cache_hits bigint not null default 0,
  add column if not exists cache_misses bigint not null default 0;
alter table public.rollups_hour
  add column if not exists cache_hits bigint not null default 0,
  add column if not exists cache_misses bigint not null default 0;
alter table public.rollups_day
  add column if not exists cache_hits bigint not null default 0,
  add column if not exists cache_misses bigint not null default 0;
alter table public.metric_rollup_deltas
  add column if not exists cache_hits bigint not null default 0,
  add column if not exists cache_misses bigint not null default 0;
