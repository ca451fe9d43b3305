-- Rollups: what the dashboard and the alert engine read instead of raw spans.
--
-- One row per bucket (minute, hour, day) per key. The key is a cuboid: a chosen set of dimensions,
-- the others summed over (stored as ''). Cuboid 0 keeps every dimension; smaller cuboids answer
-- project-wide questions from far fewer rows (core/src/rollups/cuboids.ts lists them). In cuboids
-- that sum over tenants tenant_id is '*', and only callers not scoped to one tenant see them.
--
-- The collector appends `pending` deltas to rollups_minute (cuboid 0) in the same transaction as
-- the spans, so spans and rollups never disagree. The compactor moves pending deltas into every
-- cuboid and grain in one transaction; a query reads both in one snapshot.
--
-- Latency and TTFT histograms are log-bucketed (core/src/histogram): bytea of (key, count) varint
-- pairs. Concatenating two is merging them, so SQL merges with string_agg(hist, '').

create table if not exists public.rollups_minute (
  project_id uuid not null,
  tenant_id text not null,
  cuboid smallint not null,
  bucket timestamptz not null,
  service_name text not null default '',
  category text not null default '',
  surface text not null default '',
  model text not null default '',
  provider text not null default '',
  deployment text not null default '',
  status text not null default '',
  -- A delta from ingest the compactor has not folded in yet (cuboid 0 only).
  pending boolean not null default false,
  -- Rows of one key in a closed bucket are merged into one; late data can add more until the next sweep.
  swept boolean not null default false,
  span_count bigint not null default 0,
  -- Trace roots: the requests, for cost per request.
  root_count bigint not null default 0,
  error_count bigint not null default 0,
  duration_sum_ms double precision not null default 0,
  latency_hist bytea,
  ttft_count bigint not null default 0,
  ttft_sum_ms double precision not null default 0,
  ttft_hist bytea,
  -- Counted model calls (wrappers excluded), and those of them with a known cost.
  model_calls bigint not null default 0,
  priced_calls bigint not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_write_tokens bigint not null default 0,
  reasoning_tokens bigint not null default 0,
  cost_usd numeric not null default 0
) partition by list (cuboid);

create table if not exists public.rollups_hour (like public.rollups_minute including defaults including constraints) partition by list (cuboid);
create table if not exists public.rollups_day (like public.rollups_minute including defaults including constraints) partition by list (cuboid);

-- One partition per cuboid and grain: a query reads one cuboid over a time range, and with the
-- cuboids apart its rows sit together on disk instead of one page per row.
do $$
declare
  grain text;
  c int;
begin
  foreach grain in array array['minute', 'hour', 'day'] loop
    for c in 0..7 loop
      execute format('create table if not exists public.rollups_%s_c%s partition of public.rollups_%s for values in (%s)', grain, c, grain, c);
    end loop;
    execute format('create table if not exists public.rollups_%s_other partition of public.rollups_%s default', grain, grain);
  end loop;
end
$$;

-- Range scans of one project's cuboid over a window, and finding pending and unswept rows. The
-- category trails the bucket: a category filter (model calls, the common case) is checked in the
-- index, so rows of other categories are never fetched.
create index if not exists rollups_minute_scan_idx on public.rollups_minute (project_id, cuboid, bucket, category);
create index if not exists rollups_minute_pending_idx on public.rollups_minute (bucket) where pending;
create index if not exists rollups_minute_unswept_idx on public.rollups_minute (bucket) where not swept and not pending;
create index if not exists rollups_hour_scan_idx on public.rollups_hour (project_id, cuboid, bucket, category);
create index if not exists rollups_hour_unswept_idx on public.rollups_hour (bucket) where not swept;
create index if not exists rollups_day_scan_idx on public.rollups_day (project_id, cuboid, bucket, category);
create index if not exists rollups_day_unswept_idx on public.rollups_day (bucket) where not swept;

-- Cuboids 0, 1, 5 and 6 keep the tenant; the others sum over tenants and are for project-wide callers.
-- The claims are read once per query (the sub-selects become init plans), not once per row.
alter table public.rollups_minute enable row level security;
alter table public.rollups_hour enable row level security;
alter table public.rollups_day enable row level security;

create policy rollups_minute_member_read on public.rollups_minute
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null
         or (cuboid in (0, 1, 5, 6) and tenant_id = (select public.vigil_claim_tenant_id())))
  );

create policy rollups_hour_member_read on public.rollups_hour
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null
         or (cuboid in (0, 1, 5, 6) and tenant_id = (select public.vigil_claim_tenant_id())))
  );

create policy rollups_day_member_read on public.rollups_day
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null
         or (cuboid in (0, 1, 5, 6) and tenant_id = (select public.vigil_claim_tenant_id())))
  );

grant select on public.rollups_minute, public.rollups_hour, public.rollups_day to authenticated;
grant all on public.rollups_minute, public.rollups_hour, public.rollups_day to service_role;

-- How far hour and day rollups are built: buckets before built_until are complete in that grain,
-- later ones are answered from minutes. Moved only by the compactor.
create table if not exists public.rollup_progress (
  grain text primary key check (grain in ('hour', 'day')),
  built_until timestamptz not null
);

insert into public.rollup_progress (grain, built_until)
values ('hour', date_trunc('hour', now())), ('day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')
on conflict (grain) do nothing;

alter table public.rollup_progress enable row level security;
create policy rollup_progress_read on public.rollup_progress for select to authenticated using (true);
grant select on public.rollup_progress to authenticated;
grant all on public.rollup_progress to service_role;

-- Cost per session: one row per (project, tenant, session) once compacted, plus pending deltas.
create table if not exists public.sessions (
  project_id uuid not null,
  tenant_id text not null,
  session_id text not null,
  pending boolean not null default false,
  user_id text,
  -- Null only on a pending delta that just removes spans (moved to another tenant).
  first_seen timestamptz,
  last_seen timestamptz,
  span_count bigint not null default 0,
  error_count bigint not null default 0,
  model_calls bigint not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  cache_read_tokens bigint not null default 0,
  cache_write_tokens bigint not null default 0,
  reasoning_tokens bigint not null default 0,
  cost_usd numeric not null default 0,
  -- Latency of the session's model calls.
  model_latency_hist bytea
);

create unique index if not exists sessions_key on public.sessions (project_id, tenant_id, session_id) where not pending;
create index if not exists sessions_cost_idx on public.sessions (project_id, cost_usd desc) where not pending;
create index if not exists sessions_last_seen_idx on public.sessions (project_id, last_seen) where not pending;
create index if not exists sessions_pending_idx on public.sessions (project_id) where pending;

alter table public.sessions enable row level security;

create policy sessions_member_read on public.sessions
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
  );

grant select on public.sessions to authenticated;
grant all on public.sessions to service_role;

-- Monthly budgets: tenant_id '*' is the whole project, any other value one tenant.
create table if not exists public.budgets (
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  monthly_usd numeric not null check (monthly_usd > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, tenant_id)
);

alter table public.budgets enable row level security;

create policy budgets_member_read on public.budgets
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
  );

grant select on public.budgets to authenticated;
grant all on public.budgets to service_role;
