-- A project's alerting overrides (alert_configs) are changed through the API as the caller, like
-- silences and deployments, but they are an admin's: a project-wide admin of the row's project.

create or replace function public.vigil_row_administrable(row_project uuid) returns boolean
language sql stable
as $$
  select row_project = (select public.vigil_claim_project_id())
     and (select public.vigil_claim_tenant_id()) is null
     and (select public.vigil_can('administer'))
$$;

create policy alert_configs_admin_insert on public.alert_configs
  for insert to authenticated with check (public.vigil_row_administrable(project_id) and tenant_id = '*');
create policy alert_configs_admin_update on public.alert_configs
  for update to authenticated
  using (public.vigil_row_administrable(project_id))
  with check (public.vigil_row_administrable(project_id) and tenant_id = '*');
create policy alert_configs_admin_delete on public.alert_configs
  for delete to authenticated using (public.vigil_row_administrable(project_id));
grant insert, update, delete on public.alert_configs to authenticated;
