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
