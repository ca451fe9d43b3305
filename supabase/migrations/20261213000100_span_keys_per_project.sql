-- The spans' key and trace index without project_id (issue 16, measured by `npm run bench:storage`).
-- spans is partitioned by project first, so inside a project's partitions project_id is one value,
-- and the key and the trace index carried its 16 bytes in every entry: on one day of the bench's
-- dataset, 67.6 and 17.4 bytes per span; 49.6 and 13.7 without it.
--
-- A unique key on a partitioned table must hold its partition columns, so the key moves from
-- spans, where it had to lead with project_id, to each project's table (partitioned by day):
-- (start_time, trace_id, span_id), the same uniqueness, since a project's table holds one project.
-- Its day partitions get it from there, those made later included. The trace index moves with it,
-- as (trace_id). spans_default, the catch-all for a project without its own table, holds many
-- projects and keeps both with project_id first.
--
-- What uses them does not change: COPY still fails on a span stored before, and the collector's
-- insert ... on conflict do nothing names no key, so each partition's own unique key decides.
-- 20261206000200_trace_lookup's planner trap (the planner walking a key led by project_id for
-- `project_id = $1` on a partition not yet analysed) is gone with project_id from the key.

alter table public.spans drop constraint if exists spans_pkey;
drop index if exists public.spans_trace_idx;

create or replace function public.vigil_project_span_keys(project_table regclass)
returns void
language plpgsql
as $$
begin
  execute format('alter table %s add primary key (start_time, trace_id, span_id)', project_table);
  execute format('create index on %s (trace_id)', project_table);
end
$$;

do $migration$
declare
  project_table regclass;
begin
  for project_table in
    select c.oid::regclass
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'public.spans'::regclass and c.relkind = 'p'
  loop
    perform public.vigil_project_span_keys(project_table);
  end loop;
end
$migration$;

alter table public.spans_default add primary key (project_id, start_time, trace_id, span_id);
create index if not exists spans_default_trace_idx on public.spans_default (project_id, trace_id);

create or replace function public.vigil_ensure_project_spans(project uuid)
returns void
language plpgsql
as $$
declare
  parent text := public.vigil_spans_partition_name(project);
begin
  if to_regclass(format('public.%I', parent)) is not null then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtext('vigil.spans.partitions'));
  if to_regclass(format('public.%I', parent)) is not null then
    return;
  end if;
  execute format('create table public.%I partition of public.spans for values in (%L) partition by range (start_time)', parent, project);
  perform public.vigil_project_span_keys(format('public.%I', parent)::regclass);
  execute format('create table public.%I partition of public.%I default', parent || '_default', parent);
end
$$;
