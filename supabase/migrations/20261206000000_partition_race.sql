-- vigil_ensure_spans_partition no longer fails when two connections create the same day's partition
-- at once. The second waited on the advisory lock, then looked for the table with the catalog it
-- had cached before the wait (taking an advisory lock reads no invalidations), did not see the
-- first one's table, and failed with "relation … already exists". Found by bench:query's dataset
-- loading two slices at once; core/test/migrate.test.ts asks for 20 days from 4 connections.
-- Whoever loses the race now answers false, as it would have on finding the table.

create or replace function public.vigil_ensure_spans_partition(project uuid, day date) returns boolean
language plpgsql
as $$
declare
  parent text := public.vigil_spans_partition_name(project);
  part text := public.vigil_spans_partition_name(project, day);
  catch_all text := public.vigil_spans_partition_name(project) || '_default';
  lo timestamptz := (day::timestamp) at time zone 'UTC';
  hi timestamptz := ((day + 1)::timestamp) at time zone 'UTC';
  waiting boolean;
begin
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  perform public.vigil_ensure_project_spans(project);
  perform pg_advisory_xact_lock(hashtext('vigil.spans.partitions'));
  if to_regclass(format('public.%I', part)) is not null then
    return false;
  end if;
  begin
    execute format('select exists (select 1 from public.%I where start_time >= $1 and start_time < $2)', catch_all)
      into waiting using lo, hi;
    if waiting then
      execute format('create table public.%I (like public.spans including defaults including constraints)', part);
      execute format('insert into public.%I select * from public.%I where start_time >= $1 and start_time < $2', part, catch_all)
        using lo, hi;
      execute format('delete from public.%I where start_time >= $1 and start_time < $2', catch_all) using lo, hi;
      execute format('alter table public.%I attach partition public.%I for values from (%L) to (%L)', parent, part, lo, hi);
    else
      execute format('create table public.%I partition of public.%I for values from (%L) to (%L)', part, parent, lo, hi);
    end if;
  exception when duplicate_table then
    return false;
  end;
  return true;
end
$$;
