-- span_rows' leaves (the tables that hold its rows: a project's day partitions and its catch-all,
-- and spans_default) keep their columns in a packed order: 8-byte aligned columns first, then
-- 4-byte, then the other fixed-width ones, the variable-width ones last. In a row, a column is
-- padded to its alignment after the one before it; in span_rows' own order (a uuid, then text of any
-- length before each bigint and timestamp) that was about 16 bytes a span. One day of the bench's
-- dataset (333k spans) copied in time order: heap 202.8 bytes a span as stored, 187.1 packed
-- (issue 16, `npm run bench:storage`).
--
-- Only the leaves change. Postgres lets a partition order its columns unlike its parent: rows are
-- routed and read by column name, so span_rows, the view spans and every reader stay as they are.
-- New leaves are created packed and attached; existing ones are copied into packed tables, in this
-- migration's transaction (a full copy of the spans, as 20261214000000's rewrite was).
--
-- A leaf, and a project's table over its leaves, is revoked from anon and authenticated when made:
-- on Supabase, default privileges grant every table made in public to both, and a partition read
-- directly is not under its parent's row-level security (20261215000200 revokes those made before).

-- span_rows' columns in the packed order: `name type [not null]`, or names alone. One definition,
-- read from the catalog, so a column added to span_rows later is packed in new leaves too.
create function public.vigil_span_rows_packed_columns(with_types boolean) returns text
language sql stable
as $$
  select string_agg(
           case when with_types
             then format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod), case when a.attnotnull then ' not null' else '' end)
             else format('%I', a.attname) end,
           ', '
           order by t.typlen = -1,
                    case t.typalign when 'd' then 0 when 'i' then 1 when 's' then 2 else 3 end,
                    t.typlen desc,
                    a.attnum)
    from pg_attribute a
    join pg_type t on t.oid = a.atttypid
   where a.attrelid = 'public.span_rows'::regclass and a.attnum > 0 and not a.attisdropped
$$;

-- A leaf for span_rows, packed and not yet attached, readable by no one but its owner.
create function public.vigil_create_span_rows_leaf(leaf text) returns void
language plpgsql
as $$
begin
  execute format('create table public.%I (%s)', leaf, public.vigil_span_rows_packed_columns(true));
  execute format('revoke all on public.%I from anon, authenticated', leaf);
end
$$;

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
  execute format('create table public.%I partition of public.span_rows for values in (%L) partition by range (start_time)', parent, project);
  execute format('revoke all on public.%I from anon, authenticated', parent);
  perform public.vigil_project_span_keys(format('public.%I', parent)::regclass);
  perform public.vigil_create_span_rows_leaf(parent || '_default');
  execute format('alter table public.%I attach partition public.%I default', parent, parent || '_default');
end
$$;

create or replace function public.vigil_ensure_spans_partition(project uuid, day date) returns boolean
language plpgsql
as $$
declare
  parent text := public.vigil_spans_partition_name(project);
  part text := public.vigil_spans_partition_name(project, day);
  catch_all text := public.vigil_spans_partition_name(project) || '_default';
  lo timestamptz := (day::timestamp) at time zone 'UTC';
  hi timestamptz := ((day + 1)::timestamp) at time zone 'UTC';
  columns text;
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
    perform public.vigil_create_span_rows_leaf(part);
    -- Spans of the day that arrived before it had a table wait in the catch-all: they move first.
    columns := public.vigil_span_rows_packed_columns(false);
    execute format('insert into public.%I (%s) select %2$s from public.%I where start_time >= $1 and start_time < $2', part, columns, catch_all)
      using lo, hi;
    execute format('delete from public.%I where start_time >= $1 and start_time < $2', catch_all) using lo, hi;
    execute format('alter table public.%I attach partition public.%I for values from (%L) to (%L)', parent, part, lo, hi);
  exception when duplicate_table then
    return false;
  end;
  return true;
end
$$;

-- The leaves there are, each copied into a packed table that takes its name, its bounds and its own
-- keys and indexes (spans_default's; a project's leaves get theirs from the project's table when
-- attached).
do $migration$
declare
  columns constant text := public.vigil_span_rows_packed_columns(false);
  leaf record;
  own text;
begin
  for leaf in
    select c.oid, c.relname, parent.relname as parent, pg_get_expr(c.relpartbound, c.oid) as bound,
           array(select format('alter table public.%I add constraint %I %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
                   from pg_constraint k
                  where k.conrelid = c.oid and k.conparentid = 0 and k.contype in ('p', 'u')) as constraints,
           array(select pg_get_indexdef(x.indexrelid)
                   from pg_index x
                  where x.indrelid = c.oid
                    and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = c.oid)
                    and not exists (select 1 from pg_inherits i where i.inhrelid = x.indexrelid)) as indexes
      from pg_partition_tree('public.span_rows') tree
      join pg_class c on c.oid = tree.relid
      join pg_inherits i on i.inhrelid = c.oid
      join pg_class parent on parent.oid = i.inhparent
     where tree.isleaf
     order by c.relname
  loop
    perform public.vigil_create_span_rows_leaf('vigil_span_rows_packing');
    execute format('insert into public.vigil_span_rows_packing (%s) select %1$s from public.%I', columns, leaf.relname);
    execute format('drop table public.%I', leaf.relname);
    execute format('alter table public.vigil_span_rows_packing rename to %I', leaf.relname);
    execute format('alter table public.%I attach partition public.%I %s', leaf.parent, leaf.relname, leaf.bound);
    foreach own in array leaf.constraints || leaf.indexes loop
      execute own;
    end loop;
    execute format('analyze public.%I', leaf.relname);
  end loop;
end
$migration$;
