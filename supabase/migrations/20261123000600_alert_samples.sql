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
