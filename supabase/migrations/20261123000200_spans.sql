-- Every span Vigil receives: model, db, cache, http and other calls, one row each.
-- Partitioned by day on start_time (UTC) so that retention drops whole partitions.

create table if not exists public.spans (
  project_id uuid not null,
  -- The watched app's customer; 'unknown' when neither the span nor any ancestor names one.
  tenant_id text not null default 'unknown',
  trace_id text not null check (trace_id ~ '^[0-9a-f]{32}$'),
  span_id text not null check (span_id ~ '^[0-9a-f]{16}$'),
  parent_span_id text,
  name text not null,
  service_name text not null default 'unknown_service',
  kind smallint not null default 0,
  start_time timestamptz not null,
  duration_ms double precision not null,
  category text not null check (category in ('model', 'db', 'cache', 'http', 'other')),
  status text not null check (status in ('ok', 'error')),
  status_message text,
  session_id text,
  user_id text,
  -- The user-facing surface (route or explicit vigil.surface), inherited like the tenant.
  surface text,
  -- The service version or deployment id the span came from.
  deployment text,
  environment text,
  model text,
  provider text,
  operation text,
  ttft_ms double precision,
  -- Token counts follow one convention: input includes cache reads and writes, output includes
  -- reasoning. Null on wrapper spans whose usage is counted on the inner call.
  input_tokens integer,
  output_tokens integer,
  cache_read_tokens integer,
  cache_write_tokens integer,
  reasoning_tokens integer,
  cost_usd numeric,
  -- catalog | override | span: where cost_usd came from.
  cost_source text,
  attributes jsonb not null default '{}',
  events jsonb,
  primary key (project_id, tenant_id, trace_id, span_id, start_time)
) partition by range (start_time);

-- Trace views, and the collector's lookups of a span's ancestors.
create index if not exists spans_trace_idx on public.spans (project_id, trace_id);

-- Catches spans whose day has no partition (far past or future clocks) so nothing accepted is lost.
create table if not exists public.spans_default partition of public.spans default;

alter table public.spans enable row level security;

create policy spans_member_read on public.spans
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
  );

grant select on public.spans to authenticated;
grant all on public.spans to service_role;

-- Creates the partition for one UTC day if it does not exist yet. Rows that already landed in the
-- default partition for that day move into the new partition, so creation never fails on them.
create or replace function public.vigil_ensure_spans_partition(day date) returns boolean
language plpgsql
as $$
declare
  part text := format('spans_p%s', to_char(day, 'YYYYMMDD'));
  lo timestamptz := (day::timestamp) at time zone 'UTC';
  hi timestamptz := ((day + 1)::timestamp) at time zone 'UTC';
begin
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  perform pg_advisory_xact_lock(hashtext('vigil.spans.partitions'));
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  if exists (select 1 from public.spans_default where start_time >= lo and start_time < hi) then
    execute format('create table public.%I (like public.spans including defaults including constraints)', part);
    execute format('insert into public.%I select * from public.spans_default where start_time >= $1 and start_time < $2', part)
      using lo, hi;
    delete from public.spans_default where start_time >= lo and start_time < hi;
    execute format('alter table public.spans attach partition public.%I for values from (%L) to (%L)', part, lo, hi);
  else
    execute format('create table public.%I partition of public.spans for values from (%L) to (%L)', part, lo, hi);
  end if;
  return true;
end
$$;

-- Creates partitions for a range of days (inclusive), returns how many were new.
create or replace function public.vigil_ensure_spans_partitions(from_day date, to_day date) returns integer
language plpgsql
as $$
declare
  d date := from_day;
  created integer := 0;
begin
  while d <= to_day loop
    if public.vigil_ensure_spans_partition(d) then
      created := created + 1;
    end if;
    d := d + 1;
  end loop;
  return created;
end
$$;

select public.vigil_ensure_spans_partitions(current_date - 1, current_date + 7);

-- Spans stored before their parent arrived, waiting to inherit tenant, session, user and surface.
-- The collector resolves them when the parent comes, in the same transaction that stores it.
create table if not exists public.spans_awaiting_parent (
  project_id uuid not null,
  trace_id text not null,
  parent_span_id text not null,
  span_id text not null,
  -- A waiting model call makes its parent, when it comes, a wrapper whose usage is not counted.
  is_model_call boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (project_id, trace_id, parent_span_id, span_id)
);

alter table public.spans_awaiting_parent enable row level security;
grant all on public.spans_awaiting_parent to service_role;

-- Models seen without a known price: their cost is null, and this is where to find them.
create table if not exists public.unpriced_models (
  project_id uuid not null references public.projects (id) on delete cascade,
  provider text not null default '',
  model text not null,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  span_count bigint not null default 0,
  primary key (project_id, provider, model)
);

alter table public.unpriced_models enable row level security;

create policy unpriced_models_member_read on public.unpriced_models
  for select to authenticated
  using (project_id = (select public.vigil_claim_project_id()));

grant select on public.unpriced_models to authenticated;
grant all on public.unpriced_models to service_role;
