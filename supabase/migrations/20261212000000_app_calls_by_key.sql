-- ai_api_calls (20261211000000_model_calls_once) takes an app's writes into app_ai_api_calls.
-- 1. Updates and deletes through the view find the app's row by its table's primary key, whatever
--    its columns. They needed a uuid `id`: an app whose table has a bigserial id (the example
--    app's) could not change its own rows through the view.
-- 2. An identity column (`generated … as identity`) is drawn from its sequence on insert, as the
--    table draws it. The view has no default for it, so an insert sent it a null: a not-null
--    error, or, for `generated always`, a refused insert.
-- 3. An update leaves a `generated always` identity as it is: Postgres refuses to set it.
-- Both functions are generated from the table as it is, as the view was.

do $migration$
declare
  match_old_1 text;
  match_old_2 text;
  set_columns text;
  insert_columns text;
  insert_values text;
  has_identity boolean;
  col record;
begin
  select string_agg(format('%I = ($1).%I', a.attname, a.attname), ' and ' order by k.ord),
         string_agg(format('%I = ($2).%I', a.attname, a.attname), ' and ' order by k.ord)
    into match_old_1, match_old_2
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = 'public.app_ai_api_calls'::regclass and i.indisprimary;

  select string_agg(format('%I = ($1).%I', a.attname, a.attname), ', ' order by a.attnum)
           filter (where a.attidentity <> 'a'),
         string_agg(format('%I', a.attname), ', ' order by a.attnum),
         string_agg(format('new.%I', a.attname), ', ' order by a.attnum),
         bool_or(a.attidentity <> '')
    into set_columns, insert_columns, insert_values, has_identity
    from pg_attribute a
   where a.attrelid = 'public.app_ai_api_calls'::regclass and a.attnum > 0 and not a.attisdropped;

  for col in
    select a.attname as name, pg_get_serial_sequence('public.app_ai_api_calls', a.attname) as sequence
      from pg_attribute a
     where a.attrelid = 'public.app_ai_api_calls'::regclass and a.attnum > 0 and not a.attisdropped
       and a.attidentity <> ''
  loop
    execute format('alter view public.ai_api_calls alter column %I set default nextval(%L::regclass)', col.name, col.sequence);
  end loop;

  -- The value the view's default drew is the one kept, `generated always` included.
  execute format(
    $fn$
    create or replace function public.vigil_app_ai_api_call_insert() returns trigger
    language plpgsql
    as $body$
    begin
      insert into public.app_ai_api_calls (%s) %s values (%s) returning * into new;
      return new;
    end
    $body$
    $fn$,
    insert_columns,
    case when has_identity then 'overriding system value' else '' end,
    insert_values);

  -- A call Vigil stored from a span matches no row of the app's table: it is not the app's to change.
  execute format(
    $fn$
    create or replace function public.vigil_app_ai_api_call_change() returns trigger
    language plpgsql
    as $body$
    declare
      changed integer;
    begin
      if %s then
        raise exception 'ai_api_calls: change the app''s rows in app_ai_api_calls (it has no primary key to find them by)'
          using errcode = 'feature_not_supported';
      end if;
      if tg_op = 'DELETE' then
        execute 'delete from public.app_ai_api_calls where %s' using old;
      else
        execute 'update public.app_ai_api_calls set %s where %s' using new, old;
      end if;
      get diagnostics changed = row_count;
      if changed = 0 then
        if old.span_id is not null then
          raise exception 'ai_api_calls: the call of span %% in trace %% is a model call Vigil stored from a span; it changes with its span',
            old.span_id, old.trace_id
            using errcode = 'object_not_in_prerequisite_state';
        end if;
        return null;
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end
    $body$
    $fn$,
    case when match_old_1 is null then 'true' else 'false' end,
    replace(coalesce(match_old_1, 'false'), '''', ''''''),
    replace(set_columns, '''', ''''''),
    replace(coalesce(match_old_2, 'false'), '''', ''''''));
end
$migration$;
