-- Vigil's schema as of its first release: the eight area migrations written before it, squashed
-- into one file. It keeps the version of the last of them (20261123000700), so a database that had
-- applied those files sees this one as applied. From here on migrations are append-only: a new
-- change is a new file, and supabase/migrations/CHECKSUMS records every file's hash.

-- ═══ Projects and keys ═══

-- Projects (one watched app or environment) and their ingest keys.

-- The tenancy claims Vigil reads from a caller's JWT. A claim that is missing, empty or not a
-- valid id yields null, which no row matches.
create or replace function public.vigil_claim_project_id() returns uuid
language plpgsql stable
as $$
declare
  claim text := nullif(auth.jwt() ->> 'project_id', '');
begin
  return claim::uuid;
exception when invalid_text_representation then
  return null;
end
$$;

create or replace function public.vigil_claim_tenant_id() returns text
language sql stable
as $$ select nullif(auth.jwt() ->> 'tenant_id', '') $$;

create table if not exists public.projects (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  -- Span attributes that name the watched app's tenant, in precedence order.
  tenant_attribute_keys text[] not null default array['tenant.id'],
  -- Prompts and completions are dropped at ingest unless the project opts in.
  capture_content boolean not null default false,
  -- Raw spans older than this are dropped a whole daily partition at a time. Rollups stay longer.
  raw_retention_days integer not null default 30 check (raw_retention_days between 1 and 3650),
  created_at timestamptz not null default now()
);

alter table public.projects enable row level security;

create policy projects_member_read on public.projects
  for select to authenticated
  using (id = (select public.vigil_claim_project_id()));

grant select on public.projects to authenticated;
grant all on public.projects to service_role;

-- Rows an app writes itself (into ai_api_calls, say) land in the oldest project, normally `default`.
create or replace function public.vigil_default_project_id() returns uuid
language sql stable
as $$ select id from public.projects order by created_at, name limit 1 $$;

create table if not exists public.ingest_keys (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  -- The first characters of the key, shown to users so they can tell keys apart.
  prefix text not null,
  -- SHA-256 of the whole key, hex. The key itself is never stored.
  key_hash text not null unique,
  label text,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create index if not exists ingest_keys_project_idx on public.ingest_keys (project_id);

alter table public.ingest_keys enable row level security;

create policy ingest_keys_member_read on public.ingest_keys
  for select to authenticated
  using (project_id = (select public.vigil_claim_project_id()));

-- Members may see that keys exist, never their hashes.
grant select (id, project_id, prefix, label, created_at, last_used_at, revoked_at)
  on public.ingest_keys to authenticated;
grant all on public.ingest_keys to service_role;

-- A project's own prices, which win over the bundled catalog. USD per million tokens.
create table if not exists public.model_price_overrides (
  project_id uuid not null references public.projects (id) on delete cascade,
  provider text not null default '',
  model text not null,
  valid_from timestamptz not null default '-infinity',
  input_per_mtok numeric not null check (input_per_mtok >= 0),
  output_per_mtok numeric not null check (output_per_mtok >= 0),
  cache_read_per_mtok numeric check (cache_read_per_mtok >= 0),
  cache_write_per_mtok numeric check (cache_write_per_mtok >= 0),
  reasoning_per_mtok numeric check (reasoning_per_mtok >= 0),
  created_at timestamptz not null default now(),
  primary key (project_id, provider, model, valid_from)
);

alter table public.model_price_overrides enable row level security;

create policy model_price_overrides_member_read on public.model_price_overrides
  for select to authenticated
  using (project_id = (select public.vigil_claim_project_id()));

grant select on public.model_price_overrides to authenticated;
grant all on public.model_price_overrides to service_role;

-- ═══ Spans ═══

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

-- ═══ Model calls ═══

-- One row per model call. Apps on Supabase often already keep this table and write it themselves;
-- the columns they write are kept, and Vigil's are added beside them. The collector writes one row
-- per model-call span (never for wrapper spans, so no call is counted twice).

create table if not exists public.ai_api_calls (
  id uuid primary key default gen_random_uuid(),
  user_id text,
  provider text,
  input_tokens integer,
  output_tokens integer,
  latency_ms double precision,
  estimated_cost numeric,
  status text,
  created_at timestamptz not null default now()
);

alter table public.ai_api_calls
  add column if not exists project_id uuid default public.vigil_default_project_id(),
  add column if not exists tenant_id text not null default 'unknown',
  add column if not exists session_id text,
  add column if not exists model text,
  add column if not exists ttft_ms double precision,
  add column if not exists cache_read_tokens integer,
  add column if not exists cache_write_tokens integer,
  add column if not exists reasoning_tokens integer,
  add column if not exists deployment text,
  add column if not exists trace_id text,
  add column if not exists span_id text;

-- A retried export never adds a second row for the same span.
create unique index if not exists ai_api_calls_span_key
  on public.ai_api_calls (project_id, tenant_id, trace_id, span_id)
  where trace_id is not null;

-- Trace views, and the collector's late fix-ups (the unique key above leads with the tenant).
create index if not exists ai_api_calls_trace_idx
  on public.ai_api_calls (project_id, trace_id)
  where trace_id is not null;

create index if not exists ai_api_calls_project_time_idx
  on public.ai_api_calls (project_id, tenant_id, created_at);

create index if not exists ai_api_calls_user_time_idx
  on public.ai_api_calls (project_id, user_id, created_at);

alter table public.ai_api_calls enable row level security;

create policy ai_api_calls_member_read on public.ai_api_calls
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
  );

grant select on public.ai_api_calls to authenticated;
grant all on public.ai_api_calls to service_role;

-- ═══ Rollups, sessions and budgets ═══

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
  -- 'config' rows are written by the alert engine from vigil.config.* and removed when the config
  -- drops them; 'api' rows are left alone.
  source text not null default 'api' check (source in ('api', 'config')),
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

-- ═══ Alerting ═══

-- Alerting, canary analysis and rollback: the engine's state lives here, so a restart resumes
-- where it stopped and two engines never notify or roll back twice. tenant_id '*' marks a row that
-- concerns the whole project (most alerts, every deployment); tenant-scoped viewers see only rows
-- of their own tenant.

create or replace function public.vigil_row_visible(row_project uuid, row_tenant text) returns boolean
language sql stable
as $$
  select row_project = (select public.vigil_claim_project_id())
     and ((select public.vigil_claim_tenant_id()) is null or row_tenant = (select public.vigil_claim_tenant_id()))
$$;

-- Per-project alerting config set from the API or dashboard; it wins over vigil.config.* by name.
create table if not exists public.alert_configs (
  project_id uuid primary key references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  config jsonb not null default '{}',
  updated_at timestamptz not null default now()
);

alter table public.alert_configs enable row level security;
create policy alert_configs_member_read on public.alert_configs
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_configs to authenticated;
grant all on public.alert_configs to service_role;

-- One alert instance per fingerprint (a hash of its labels): its state machine, persisted.
create table if not exists public.alert_instances (
  project_id uuid not null references public.projects (id) on delete cascade,
  fingerprint text not null,
  tenant_id text not null default '*',
  alert_name text not null,
  kind text not null check (kind in ('slo', 'rule', 'budget')),
  severity text not null check (severity in ('page', 'ticket')),
  labels jsonb not null,
  state text not null check (state in ('normal', 'pending', 'firing', 'recovering', 'resolved', 'nodata', 'error')),
  since timestamptz not null,
  last_true_at timestamptz,
  fired_at timestamptz,
  evaluated_at timestamptz not null,
  -- What the last evaluation saw: window values against thresholds, shown in messages and the UI.
  observed jsonb not null default '{}',
  last_notified_at timestamptz,
  primary key (project_id, fingerprint)
);

create index if not exists alert_instances_active_idx on public.alert_instances (project_id, state) where state in ('pending', 'firing', 'recovering', 'nodata', 'error');

alter table public.alert_instances enable row level security;
create policy alert_instances_member_read on public.alert_instances
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_instances to authenticated;
grant all on public.alert_instances to service_role;

-- Every state change, for the alert timeline.
create table if not exists public.alert_events (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  fingerprint text not null,
  at timestamptz not null,
  from_state text not null,
  to_state text not null,
  observed jsonb not null default '{}'
);

create index if not exists alert_events_instance_idx on public.alert_events (project_id, fingerprint, at desc);
create index if not exists alert_events_time_idx on public.alert_events (project_id, at desc);

alter table public.alert_events enable row level security;
create policy alert_events_member_read on public.alert_events
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_events to authenticated;
grant all on public.alert_events to service_role;

-- Time-bounded silences: label matchers ({"label": "value"} all must match).
create table if not exists public.alert_silences (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  matchers jsonb not null check (jsonb_typeof(matchers) = 'object'),
  starts_at timestamptz not null default now(),
  ends_at timestamptz not null,
  created_by text,
  comment text,
  created_at timestamptz not null default now(),
  check (ends_at > starts_at)
);

create index if not exists alert_silences_project_idx on public.alert_silences (project_id, ends_at);

alter table public.alert_silences enable row level security;
create policy alert_silences_member_read on public.alert_silences
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_silences to authenticated;
grant all on public.alert_silences to service_role;

-- The notification outbox: written in the same transaction as the state change that calls for it,
-- then delivered by whichever engine claims it. Status tells what happened to it.
create table if not exists public.alert_notifications (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  fingerprint text,
  kind text not null check (kind in ('firing', 'resolved', 'nodata', 'error', 'repeat', 'rollback', 'verdict')),
  severity text not null,
  channel text not null,
  target text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'silenced', 'inhibited')),
  not_before timestamptz not null default now(),
  attempts integer not null default 0,
  last_error text,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);

create index if not exists alert_notifications_pending_idx on public.alert_notifications (not_before) where status = 'pending';
create index if not exists alert_notifications_project_idx on public.alert_notifications (project_id, created_at desc);

alter table public.alert_notifications enable row level security;
create policy alert_notifications_member_read on public.alert_notifications
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_notifications to authenticated;
grant all on public.alert_notifications to service_role;

-- Deployments: recorded by the API or CLI, or first seen as a span's deployment value.
create table if not exists public.deployments (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  name text not null,
  baseline text,
  -- Share of traffic the canary gets, in percent, when the pipeline says.
  weight numeric check (weight is null or (weight >= 0 and weight <= 100)),
  state text not null default 'running' check (state in ('running', 'promoted', 'rolled_back')),
  source text not null check (source in ('api', 'cli', 'spans')),
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  verdict text check (verdict in ('pass', 'fail', 'inconclusive', 'error')),
  score numeric,
  judged_at timestamptz,
  judgement jsonb,
  unique (project_id, name)
);

alter table public.deployments enable row level security;
create policy deployments_member_read on public.deployments
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.deployments to authenticated;
grant all on public.deployments to service_role;

-- Every judgement, for the deployment page's history.
create table if not exists public.canary_judgements (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  deployment_id uuid not null references public.deployments (id) on delete cascade,
  at timestamptz not null default now(),
  window_from timestamptz not null,
  window_to timestamptz not null,
  verdict text not null check (verdict in ('pass', 'fail', 'inconclusive', 'error')),
  score numeric,
  reason text not null,
  metrics jsonb not null default '[]'
);

create index if not exists canary_judgements_deployment_idx on public.canary_judgements (deployment_id, at desc);

alter table public.canary_judgements enable row level security;
create policy canary_judgements_member_read on public.canary_judgements
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.canary_judgements to authenticated;
grant all on public.canary_judgements to service_role;

-- At most one rollback per deployment: the unique key is the idempotency guarantee when two
-- engines race.
create table if not exists public.rollbacks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  deployment_id uuid not null unique references public.deployments (id) on delete cascade,
  idempotency_key text not null unique,
  trigger text not null check (trigger in ('judge', 'burn_alert', 'manual')),
  reason text not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'partial', 'failed')),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

alter table public.rollbacks enable row level security;
create policy rollbacks_member_read on public.rollbacks
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.rollbacks to authenticated;
grant all on public.rollbacks to service_role;

-- Each call to a rollback hook: the audit trail.
create table if not exists public.rollback_hook_calls (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  rollback_id uuid not null references public.rollbacks (id) on delete cascade,
  hook text not null,
  attempt integer not null,
  started_at timestamptz not null,
  duration_ms double precision not null,
  status_code integer,
  ok boolean not null,
  error text
);

create index if not exists rollback_hook_calls_rollback_idx on public.rollback_hook_calls (rollback_id, started_at);

alter table public.rollback_hook_calls enable row level security;
create policy rollback_hook_calls_member_read on public.rollback_hook_calls
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.rollback_hook_calls to authenticated;
grant all on public.rollback_hook_calls to service_role;

-- ═══ Alert samples ═══

-- What the alert engine measured, once a minute per alert instance: the burn-rate sparklines on
-- the dashboard's SLO tiles and the history behind each alert. The engine keeps 8 days.
--   slo    → burn rate over the long window of the instance's fastest window pair (1h for a 30d page)
--   rule   → the rule's value (p95 ms, ratio, $ per call, requests)
--   budget → spend (or forecast) as a fraction of the monthly budget
create table if not exists public.alert_samples (
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  fingerprint text not null,
  at timestamptz not null,
  value double precision,
  primary key (project_id, fingerprint, at)
);

create index if not exists alert_samples_at_idx on public.alert_samples (at);

alter table public.alert_samples enable row level security;
create policy alert_samples_member_read on public.alert_samples
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.alert_samples to authenticated;
grant all on public.alert_samples to service_role;
