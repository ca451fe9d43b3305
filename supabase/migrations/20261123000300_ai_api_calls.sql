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
