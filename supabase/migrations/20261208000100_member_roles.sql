-- Member roles (issue 18): viewer, finance, operator and admin, from the `vigil_role` JWT claim.
--
-- What each role may do is core/src/access/roles.ts; vigil_role_can() below is the same table for
-- row-level security, and core/test/roles.test.ts asks Postgres every pair and compares the two.
-- A token without the claim was minted before roles and keeps what it could do: operator.
-- service_role is an admin of every project.

create or replace function public.vigil_role_can(member_role text, capability text) returns boolean
language sql immutable
as $$
  select capability = any (case member_role
    when 'viewer' then array['read_health', 'read_cost', 'read_traces', 'read_audit']
    when 'finance' then array['read_cost']
    when 'operator' then array['read_health', 'read_cost', 'read_traces', 'read_audit', 'read_content', 'operate']
    when 'admin' then array['read_health', 'read_cost', 'read_traces', 'read_audit', 'read_content', 'operate', 'administer']
    else array[]::text[]
  end)
$$;

create or replace function public.vigil_claim_role() returns text
language sql stable
as $$
  select case
    when auth.jwt() ->> 'role' = 'service_role' then 'admin'
    else coalesce(nullif(auth.jwt() ->> 'vigil_role', ''), 'operator')
  end
$$;

create or replace function public.vigil_can(capability text) returns boolean
language sql stable
as $$ select public.vigil_role_can(public.vigil_claim_role(), capability) $$;

-- Raw spans carry trace attributes: not for finance.
drop policy if exists spans_member_read on public.spans;
create policy spans_member_read on public.spans
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
    and (select public.vigil_can('read_traces'))
  );

-- Finance reads model calls' cost by user and model without reading spans: this view has no
-- attributes, events, names or messages. It runs as its owner, so it applies the project, tenant
-- and role rule itself (the same predicates as the policies); security_barrier keeps a caller's
-- own conditions from running before it.
create or replace view public.model_call_costs with (security_barrier) as
  select project_id, tenant_id, start_time, service_name, category, surface, model, provider, deployment, status,
         user_id, session_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
         cost_usd
    from public.spans
   where category = 'model'
     and (select public.vigil_can('read_cost'))
     and ((select auth.jwt() ->> 'role') = 'service_role' or public.vigil_row_visible(project_id, tenant_id));
revoke all on public.model_call_costs from anon, authenticated, service_role;
grant select on public.model_call_costs to authenticated, service_role;

-- Changes members make (silences, deployments, promote, rollback) need the operator role.
create or replace function public.vigil_row_changeable(row_project uuid) returns boolean
language sql stable
as $$
  select row_project = (select public.vigil_claim_project_id())
     and (select public.vigil_claim_tenant_id()) is null
     and (select public.vigil_can('operate'))
$$;

-- Keys are an admin's.
drop policy if exists ingest_keys_member_read on public.ingest_keys;
create policy ingest_keys_member_read on public.ingest_keys
  for select to authenticated
  using (project_id = (select public.vigil_claim_project_id()) and (select public.vigil_can('administer')));

drop policy if exists audit_events_member_read on public.audit_events;
create policy audit_events_member_read on public.audit_events
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and ((select public.vigil_claim_tenant_id()) is null or tenant_id in ('*', (select public.vigil_claim_tenant_id())))
    and (select public.vigil_can('read_audit'))
  );

-- Supabase Auth users as members: a user (auth.users.id, the JWT's sub) has a role in a project,
-- optionally limited to one tenant. Vigil resolves a Supabase session token through this table.
create table if not exists public.members (
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null,
  role text not null check (role in ('viewer', 'finance', 'operator', 'admin')),
  tenant_id text check (tenant_id is null or length(tenant_id) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (project_id, user_id)
);
create index if not exists members_user_idx on public.members (user_id);

alter table public.members enable row level security;
-- A project's admins see its members; a user sees their own memberships. Changes go through
-- Vigil (the CLI), which records each in the audit log.
create policy members_read on public.members
  for select to authenticated
  using (
    (project_id = (select public.vigil_claim_project_id()) and (select public.vigil_can('administer')))
    or user_id = (select auth.uid())
  );
revoke all on public.members from anon, authenticated, service_role;
grant select on public.members to authenticated;
grant all on public.members to service_role;
