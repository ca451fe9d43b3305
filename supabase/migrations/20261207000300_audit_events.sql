-- The audit log: every change to who may send or read (keys, tokens), to what pages people
-- (silences), and to what is released (deployments started, promoted, rolled back), and every
-- re-pricing run, with who made it, from where, and the target's state before and after. Written by
-- Vigil's own processes (core/src/audit/audit-log.ts); members read their project's rows.
--
-- Append-only for everyone: no role has UPDATE, DELETE or TRUNCATE, and a trigger refuses them
-- even to the table's owner and superusers, so a row once written stays as it was.
create table if not exists public.audit_events (
  id bigint generated always as identity primary key,
  -- No foreign key: the trail of a project outlives the project.
  project_id uuid,
  -- '*' when the change concerns the whole project.
  tenant_id text not null default '*',
  at timestamptz not null default now(),
  -- Who: "cli:<user>@<host>", "token:<subject>", "engine", "dashboard:<subject>".
  actor text not null,
  -- What, as <thing>.<verb>: key.created, key.rotated, key.revoked, token.issued, silence.created,
  -- silence.expired, deployment.started, deployment.promoted, deployment.rolled_back, reprice.run.
  action text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
  -- The key id, silence id, deployment name, or days re-priced.
  target text not null,
  before jsonb,
  after jsonb,
  -- From where: "cli", "api <address>", "engine".
  origin text not null
);
create index if not exists audit_events_project_at_idx on public.audit_events (project_id, at desc);

create or replace function public.vigil_audit_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_events is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;

drop trigger if exists audit_events_append_only on public.audit_events;
create trigger audit_events_append_only before update or delete on public.audit_events
  for each row execute function public.vigil_audit_append_only();
drop trigger if exists audit_events_no_truncate on public.audit_events;
create trigger audit_events_no_truncate before truncate on public.audit_events
  for each statement execute function public.vigil_audit_append_only();

alter table public.audit_events enable row level security;
create policy audit_events_member_read on public.audit_events
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id in ('*', (select public.vigil_claim_tenant_id())))
  );
revoke all on public.audit_events from anon, authenticated, service_role;
grant select on public.audit_events to authenticated;
grant select, insert on public.audit_events to service_role;
