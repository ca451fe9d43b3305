-- Changes members make through the API (silences; recording, promoting and rolling back
-- deployments) run as the member, so row-level security decides them as it decides reads. The
-- rule is one predicate: a project-wide member of the row's project (a token scoped to one tenant
-- reads its tenant's rows and changes nothing).

create or replace function public.vigil_row_changeable(row_project uuid) returns boolean
language sql stable
as $$
  select row_project = (select public.vigil_claim_project_id())
     and (select public.vigil_claim_tenant_id()) is null
$$;

create policy alert_silences_member_insert on public.alert_silences
  for insert to authenticated with check (public.vigil_row_changeable(project_id) and tenant_id = '*');
create policy alert_silences_member_update on public.alert_silences
  for update to authenticated
  using (public.vigil_row_changeable(project_id))
  with check (public.vigil_row_changeable(project_id) and tenant_id = '*');
grant insert, update on public.alert_silences to authenticated;

create policy deployments_member_insert on public.deployments
  for insert to authenticated with check (public.vigil_row_changeable(project_id) and tenant_id = '*');
create policy deployments_member_update on public.deployments
  for update to authenticated
  using (public.vigil_row_changeable(project_id))
  with check (public.vigil_row_changeable(project_id) and tenant_id = '*');
grant insert, update on public.deployments to authenticated;
