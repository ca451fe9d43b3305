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
