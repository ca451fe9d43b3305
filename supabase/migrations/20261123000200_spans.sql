-- Every span Vigil receives: model, db, cache, http and other calls, one row each.
-- Partitioned by project, then by UTC day on start_time, so that each project's retention drops
-- whole partitions and no query of one project touches another's.

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
) partition by list (project_id);

-- Trace views, and the collector's lookups of a span's ancestors.
create index if not exists spans_trace_idx on public.spans (project_id, trace_id);
-- Time-ordered drill-downs and the raw answers behind rollups.
create index if not exists spans_time_idx on public.spans (project_id, start_time);

-- Rows of a project that has no partition yet (never expected: projects get theirs on creation).
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

-- The partition names of one project: spans_<project hex>, its days spans_<hex>_pYYYYMMDD and its
-- catch-all spans_<hex>_default (for clocks far in the past or future; nothing accepted is lost).
create or replace function public.vigil_spans_partition_name(project uuid, day date default null) returns text
language sql immutable
as $$
  select 'spans_' || replace(project::text, '-', '') || coalesce('_p' || to_char(day, 'YYYYMMDD'), '')
$$;

create or replace function public.vigil_ensure_project_spans(project uuid) returns void
language plpgsql
as $$
declare
  parent text := public.vigil_spans_partition_name(project);
begin
  if to_regclass(format('public.%I', parent)) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('vigil.spans.partitions'));
  if to_regclass(format('public.%I', parent)) is not null then
    return;
  end if;
  execute format('create table public.%I partition of public.spans for values in (%L) partition by range (start_time)', parent, project);
  execute format('create table public.%I partition of public.%I default', parent || '_default', parent);
end
$$;

-- Creates one project's partition for one UTC day if it does not exist yet. Rows that already
-- landed in the project's default partition for that day move in, so creation never fails on them.
create or replace function public.vigil_ensure_spans_partition(project uuid, day date) returns boolean
language plpgsql
as $$
declare
  parent text := public.vigil_spans_partition_name(project);
  part text := public.vigil_spans_partition_name(project, day);
  catch_all text := public.vigil_spans_partition_name(project) || '_default';
  lo timestamptz := (day::timestamp) at time zone 'UTC';
  hi timestamptz := ((day + 1)::timestamp) at time zone 'UTC';
  waiting boolean;
begin
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  perform public.vigil_ensure_project_spans(project);
  perform pg_advisory_xact_lock(hashtext('vigil.spans.partitions'));
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  execute format('select exists (select 1 from public.%I where start_time >= $1 and start_time < $2)', catch_all)
    into waiting using lo, hi;
  if waiting then
    execute format('create table public.%I (like public.spans including defaults including constraints)', part);
    execute format('insert into public.%I select * from public.%I where start_time >= $1 and start_time < $2', part, catch_all)
      using lo, hi;
    execute format('delete from public.%I where start_time >= $1 and start_time < $2', catch_all) using lo, hi;
    execute format('alter table public.%I attach partition public.%I for values from (%L) to (%L)', parent, part, lo, hi);
  else
    execute format('create table public.%I partition of public.%I for values from (%L) to (%L)', part, parent, lo, hi);
  end if;
  return true;
end
$$;

-- Creates every project's partitions for a range of days (inclusive), returns how many were new.
create or replace function public.vigil_ensure_spans_partitions(from_day date, to_day date) returns integer
language plpgsql
as $$
declare
  p record;
  d date;
  created integer := 0;
begin
  for p in select id from public.projects loop
    d := from_day;
    while d <= to_day loop
      if public.vigil_ensure_spans_partition(p.id, d) then
        created := created + 1;
      end if;
      d := d + 1;
    end loop;
  end loop;
  return created;
end
$$;

-- A new project gets its partitions at once: a collector never waits on DDL for its first spans.
create or replace function public.vigil_projects_create_spans_partitions() returns trigger
language plpgsql
as $$
declare
  d date := current_date - 1;
begin
  while d <= current_date + 2 loop
    perform public.vigil_ensure_spans_partition(new.id, d);
    d := d + 1;
  end loop;
  return null;
end
$$;

create trigger projects_create_spans_partitions
  after insert on public.projects
  for each row execute function public.vigil_projects_create_spans_partitions();

-- A deleted project's spans go with it.
create or replace function public.vigil_projects_drop_spans_partitions() returns trigger
language plpgsql
as $$
begin
  execute format('drop table if exists public.%I cascade', public.vigil_spans_partition_name(old.id));
  return null;
end
$$;

create trigger projects_drop_spans_partitions
  after delete on public.projects
  for each row execute function public.vigil_projects_drop_spans_partitions();

-- Raw-span retention: drops each project's daily partitions that ended more than its
-- raw_retention_days ago. Whole tables go; no row is deleted one by one. Returns what was dropped.
-- The only rows deleted singly are expired ones in a project's catch-all partition, which holds
-- just the spans whose clocks were days off.
create or replace function public.vigil_drop_expired_spans_partitions(now_at timestamptz default now())
returns table (project_id uuid, partition_name text)
language plpgsql
as $$
declare
  p record;
  part record;
  day date;
begin
  for p in select id, raw_retention_days from public.projects loop
    for part in
      select c.relname
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
       where i.inhparent = to_regclass(format('public.%I', public.vigil_spans_partition_name(p.id)))
         and c.relname ~ '_p[0-9]{8}$'
    loop
      day := to_date(right(part.relname, 8), 'YYYYMMDD');
      if ((day + 1)::timestamp at time zone 'UTC') <= now_at - make_interval(days => p.raw_retention_days) then
        execute format('drop table public.%I', part.relname);
        project_id := p.id;
        partition_name := part.relname;
        return next;
      end if;
    end loop;
    if to_regclass(format('public.%I', public.vigil_spans_partition_name(p.id) || '_default')) is not null then
      execute format('delete from public.%I where start_time < $1', public.vigil_spans_partition_name(p.id) || '_default')
        using now_at - make_interval(days => p.raw_retention_days);
    end if;
  end loop;
end
$$;

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
