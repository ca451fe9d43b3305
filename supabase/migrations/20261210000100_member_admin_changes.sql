-- Members are changed through the API and the dashboard as the caller, like alerting overrides:
-- by a project-wide admin of the member's project (vigil_row_administrable). Vigil records each
-- change in the audit log; the CLI keeps changing them with Vigil's own connection.

create policy members_admin_insert on public.members
  for insert to authenticated with check (public.vigil_row_administrable(project_id));
create policy members_admin_update on public.members
  for update to authenticated
  using (public.vigil_row_administrable(project_id))
  with check (public.vigil_row_administrable(project_id));
create policy members_admin_delete on public.members
  for delete to authenticated using (public.vigil_row_administrable(project_id));
grant insert, update, delete on public.members to authenticated;
