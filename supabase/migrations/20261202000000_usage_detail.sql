-- What a call's cost is made of, kept so history can be re-priced and checked:
-- - one-hour cache writes, a part of cache_write_tokens, billed at their own rate (Anthropic: 2x
--   input, against 1.25x for five-minute writes);
-- - the cost the emitting library computed itself, next to Vigil's own (cost_usd, estimated_cost);
-- - the managed prompt the call used (gen_ai.prompt.name/version, Langfuse's prompt), a dimension.
alter table public.spans
  add column if not exists cache_write_1h_tokens integer,
  add column if not exists reported_cost_usd numeric,
  add column if not exists prompt_name text,
  add column if not exists prompt_version text;

alter table public.ai_api_calls
  add column if not exists cache_write_1h_tokens integer,
  add column if not exists reported_cost numeric,
  add column if not exists prompt_name text,
  add column if not exists prompt_version text;

-- The distribution of priced model calls' costs (micro-dollars, log buckets within 1%), so
-- cost-per-call SLIs are read from rollups for any window like latency SLIs. Rows built before
-- this column have none: those calls count in cost SLIs once `vigil reprice` rebuilds their days.
alter table public.rollups_minute add column if not exists cost_hist bytea;
alter table public.rollups_hour add column if not exists cost_hist bytea;
alter table public.rollups_day add column if not exists cost_hist bytea;

-- Which prices each project-day's costs were computed with: the collector records the catalog it
-- priced with as days fill, and `vigil reprice` replaces a day's record with the one it applied.
-- A finance report can say which prices it used; a day priced by two catalog versions (an upgrade
-- mid-day) lists both until it is re-priced.
create table if not exists public.pricing_days (
  project_id uuid not null references public.projects (id) on delete cascade,
  day date not null,
  -- '@pydantic/genai-prices@0.1.8', with ' + N project prices' when the project's own prices applied.
  catalog text not null,
  source text not null check (source in ('ingest', 'reprice')),
  priced_at timestamptz not null default now(),
  primary key (project_id, day, catalog)
);

alter table public.pricing_days enable row level security;

create policy pricing_days_member_read on public.pricing_days
  for select to authenticated
  using (project_id = (select public.vigil_claim_project_id()));

grant select on public.pricing_days to authenticated;
grant all on public.pricing_days to service_role;

-- Where each call's estimated_cost came from (catalog | override | span), as on spans.cost_source:
-- a reported cost is compared with Vigil's own only where Vigil priced the call itself.
alter table public.ai_api_calls add column if not exists cost_source text;
