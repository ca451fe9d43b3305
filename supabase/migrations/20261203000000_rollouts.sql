-- Stepped rollouts: a deployment may carry the traffic weights it steps through (5, 25, 100), the
-- step it is on and since when, and who its canary serves (random traffic, or tenants: a list and
-- a hashed share). Each step entered is a row; its unique (deployment, step) key is what makes
-- the promote hooks run once per step when engines, pipelines and people race.

alter table public.deployments
  add column if not exists steps numeric[],
  add column if not exists step integer,
  add column if not exists step_started_at timestamptz,
  add column if not exists min_step_time_ms bigint check (min_step_time_ms is null or min_step_time_ms >= 0),
  add column if not exists cohort text not null default 'traffic' check (cohort in ('traffic', 'tenants')),
  add column if not exists cohort_tenants text[] not null default '{}',
  add column if not exists held_paged_at timestamptz;

alter table public.deployments
  add constraint deployments_step_in_steps check (step is null or (steps is not null and step >= 0 and step < cardinality(steps)));

create table if not exists public.rollout_steps (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  deployment_id uuid not null references public.deployments (id) on delete cascade,
  step integer not null check (step >= 0),
  weight numeric not null check (weight >= 0 and weight <= 100),
  idempotency_key text not null unique,
  trigger text not null check (trigger in ('start', 'judge', 'manual')),
  reason text not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'partial', 'failed')),
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (deployment_id, step)
);

create index if not exists rollout_steps_project_idx on public.rollout_steps (project_id, created_at desc);

alter table public.rollout_steps enable row level security;
create policy rollout_steps_member_read on public.rollout_steps
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.rollout_steps to authenticated;
grant all on public.rollout_steps to service_role;

-- Each call to a promote hook: the audit trail, as rollback_hook_calls is for rollbacks.
create table if not exists public.rollout_hook_calls (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default '*',
  rollout_step_id bigint not null references public.rollout_steps (id) on delete cascade,
  hook text not null,
  attempt integer not null,
  started_at timestamptz not null,
  duration_ms double precision not null,
  status_code integer,
  ok boolean not null,
  error text
);

create index if not exists rollout_hook_calls_step_idx on public.rollout_hook_calls (rollout_step_id, started_at);

alter table public.rollout_hook_calls enable row level security;
create policy rollout_hook_calls_member_read on public.rollout_hook_calls
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.rollout_hook_calls to authenticated;
grant all on public.rollout_hook_calls to service_role;
