-- OTLP metrics (collector/src/metrics/). Two tables the collector and the compactor own; the app's
-- roles never see them.
--
-- metric_series: the last point of each cumulative series, so that the next point becomes a delta
-- (value − last value) even across collector restarts; a new start time or a smaller value is a
-- reset (the exporter restarted) and the point counts whole. Histograms keep their cumulative log
-- histogram (core's encoding), which subtracts bucket by bucket.
create table if not exists public.metric_series (
  project_id uuid not null references public.projects (id) on delete cascade,
  series_key text not null,
  tenant_id text not null default 'unknown',
  start_ms double precision not null,
  time_ms double precision not null,
  -- A sum's value, or a histogram's count (then sum and hist are its sum and log histogram).
  value double precision not null,
  sum double precision not null,
  hist bytea,
  seen_at timestamptz not null default now(),
  primary key (project_id, series_key)
);
create index if not exists metric_series_seen_idx on public.metric_series (seen_at);

-- metric_rollup_deltas: rollup deltas read from metric points, held until their minute has closed
-- and the hold has passed. The compactor then moves into rollups_minute (as pending deltas) only
-- those whose service, tenant and session (when the points name one) stored no model call as a
-- span or log event over the points' interval (covers_from .. bucket): the same calls reported
-- twice are counted once, from the spans.
create table if not exists public.metric_rollup_deltas (like public.rollups_minute including defaults);
alter table public.metric_rollup_deltas
  add column if not exists covers_from timestamptz not null,
  add column if not exists session_id text;
create index if not exists metric_rollup_deltas_bucket_idx on public.metric_rollup_deltas (bucket);

alter table public.metric_series enable row level security;
alter table public.metric_rollup_deltas enable row level security;
revoke all on public.metric_series from anon, authenticated;
revoke all on public.metric_rollup_deltas from anon, authenticated;
grant all on public.metric_series to service_role;
grant all on public.metric_rollup_deltas to service_role;
