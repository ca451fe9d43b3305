-- On Supabase, default privileges grant every table the owner makes in the public schema to anon
-- and authenticated, and the Data API serves what they may read. A partition read directly is not
-- under its parent's row-level security: rollups_minute_c0 and the others gave any holder of the
-- anon key every project's rollups. Partitions are read through their parents only, so none is
-- granted to either role (the span tables made from now on are revoked when made:
-- 20261215000100), and anon, which reads no span, loses the view spans too.
-- core/test/default-privileges.test.ts migrates under Supabase's default privileges and
-- checks that nothing without row-level security is left to either role.

do $$
declare
  part record;
begin
  for part in
    select c.relname
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p')
  loop
    execute format('revoke all on public.%I from anon, authenticated', part.relname);
  end loop;
end
$$;

revoke all on public.spans from anon;
