-- Each model call stored once (issue 16). The collector wrote every counted model call twice: as
-- its span and as a row of ai_api_calls, 135 of the 683 bytes per span bench:storage measured.
-- ai_api_calls becomes a view over both kinds of row, so apps keep reading (and writing) it as
-- they did:
--
-- 1. The table keeps the rows an app wrote itself, renamed app_ai_api_calls. Vigil's own rows
--    (a span of the same project, trace and span id exists) are deleted from it: the span holds
--    the same call.
-- 2. The view ai_api_calls is the app's rows, then the model spans (category 'model': counted
--    calls; wrappers are stored as 'other') in the table's columns: the span's duration as
--    latency_ms, its cost as estimated_cost, its start as created_at, and an id derived from the
--    span's key. It has the table's columns in the table's order, whatever an app added to its own
--    table before Vigil adopted it: a column of another type (an app's integer latency_ms) gets
--    the span's value cast as an insert into it would be, and a column Vigil does not fill, or
--    cannot cast to, is null on the spans' side.
--    Tenant fix-ups, re-pricing, demoted wrappers and retention now change the one row.
-- 3. The view runs as its owner and applies the table's read rule itself, as model_call_costs does:
--    the caller's project and tenant, and the read_cost capability (every role holds it, as
--    every member could read the table). Roles that are not members (the owner the collector and
--    apps connect as, service_role) read every row, as they read the tables. security_barrier
--    keeps a caller's own conditions from running before the rule; the union sits in a subquery
--    of the view because Postgres flattens a view that is itself a UNION ALL into its query and
--    drops the barrier (a leaky function saw every project's rows: core/test/ai-api-calls-view).
-- 4. Inserts, updates and deletes through the view go to the app's table (triggers below). The
--    spans' side is read-only: a call Vigil stored is changed by re-pricing or by its spans.
-- 5. A BRIN index on spans.start_time: a query on the view by time alone (an app's "calls in the
--    last minute") has no project to lead the spans' key with; before Postgres 18's skip scan the
--    key cannot serve it. Some hundred bytes per partition.

alter table public.ai_api_calls rename to app_ai_api_calls;
alter index if exists public.ai_api_calls_pkey rename to app_ai_api_calls_pkey;
alter index if exists public.ai_api_calls_time_brin rename to app_ai_api_calls_time_brin;
-- Served the collector's fix-ups and re-pricing by trace, which no longer touch this table.
drop index if exists public.ai_api_calls_trace_idx;
alter policy ai_api_calls_member_read on public.app_ai_api_calls rename to app_ai_api_calls_member_read;

delete from public.app_ai_api_calls a
 where a.trace_id is not null
   and a.span_id is not null
   and exists (
     select 1 from public.spans s
      where s.project_id = a.project_id and s.trace_id = a.trace_id and s.span_id = a.span_id);

create index if not exists spans_time_brin on public.spans using brin (start_time);

-- The id of a model call Vigil stored: stable across reads, from the span's key.
create or replace function public.vigil_model_call_id(project uuid, trace uuid, span text)
returns uuid
language sql
immutable
parallel safe
return md5(project::text || trace::text || span)::uuid;

do $migration$
declare
  -- What the spans' side gives for each column of the table, and the type it gives it in.
  from_span constant jsonb := jsonb_build_object(
    'id', jsonb_build_array('public.vigil_model_call_id(s.project_id, s.trace_id, s.span_id)', 'uuid'),
    'project_id', jsonb_build_array('s.project_id', 'uuid'),
    'tenant_id', jsonb_build_array('s.tenant_id', 'text'),
    'user_id', jsonb_build_array('s.user_id', 'text'),
    'session_id', jsonb_build_array('s.session_id', 'text'),
    'provider', jsonb_build_array('s.provider', 'text'),
    'model', jsonb_build_array('s.model', 'text'),
    'input_tokens', jsonb_build_array('s.input_tokens', 'integer'),
    'output_tokens', jsonb_build_array('s.output_tokens', 'integer'),
    'cache_read_tokens', jsonb_build_array('s.cache_read_tokens', 'integer'),
    'cache_write_tokens', jsonb_build_array('s.cache_write_tokens', 'integer'),
    'cache_write_1h_tokens', jsonb_build_array('s.cache_write_1h_tokens', 'integer'),
    'reasoning_tokens', jsonb_build_array('s.reasoning_tokens', 'integer'),
    'latency_ms', jsonb_build_array('s.duration_ms', 'double precision'),
    'ttft_ms', jsonb_build_array('s.ttft_ms', 'double precision'),
    'estimated_cost', jsonb_build_array('s.cost_usd', 'numeric'),
    'cost_source', jsonb_build_array('s.cost_source', 'text'),
    'reported_cost', jsonb_build_array('s.reported_cost_usd', 'numeric'),
    'status', jsonb_build_array('s.status', 'text'),
    'deployment', jsonb_build_array('s.deployment', 'text'),
    'prompt_name', jsonb_build_array('s.prompt_name', 'text'),
    'prompt_version', jsonb_build_array('s.prompt_version', 'text'),
    'trace_id', jsonb_build_array('s.trace_id', 'uuid'),
    'span_id', jsonb_build_array('s.span_id', 'text'),
    'created_at', jsonb_build_array('s.start_time', 'timestamp with time zone'));
  -- The table's read rule, each claim read once per query (as the policies on spans read them).
  visible constant text := $rule$
    (select public.vigil_can('read_cost'))
    and (
      (select current_user::text not in ('anon', 'authenticated'))
      or (select auth.jwt() ->> 'role') = 'service_role'
      or (
        project_id = (select public.vigil_claim_project_id())
        and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
      )
    )$rule$;
  col record;
  app_columns text := '';
  span_columns text := '';
  set_columns text := '';
  has_id boolean := false;
begin
  for col in
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
      from pg_attribute a
     where a.attrelid = 'public.app_ai_api_calls'::regclass and a.attnum > 0 and not a.attisdropped
     order by a.attnum
  loop
    app_columns := app_columns || case when app_columns = '' then '' else ', ' end || format('%I', col.name);
    span_columns := span_columns || case when span_columns = '' then '' else ', ' end
      || case
           when from_span -> col.name ->> 1 = col.type then format('%s as %I', from_span -> col.name ->> 0, col.name)
           -- A column of another type gets the value as an insert into it would (an app's
           -- integer latency_ms: the duration rounded), or null where no such cast exists.
           when exists (
             select 1 from pg_cast
              where castsource = (from_span -> col.name ->> 1)::regtype and casttarget = col.type::regtype
                and castcontext in ('i', 'a'))
             then format('(%s)::%s as %I', from_span -> col.name ->> 0, col.type, col.name)
           else format('null::%s as %I', col.type, col.name)
         end;
    set_columns := set_columns || case when set_columns = '' then '' else ', ' end
      || format('%I = ($1).%I', col.name, col.name);
    has_id := has_id or (col.name = 'id' and col.type = 'uuid');
  end loop;

  execute format(
    $view$create view public.ai_api_calls with (security_barrier) as
      select * from (
        select %s from public.app_ai_api_calls where %s
        union all
        select %s from public.spans s where s.category = 'model' and %s
      ) calls$view$,
    app_columns, visible, span_columns, visible);

  -- An insert that leaves a column out gets the table's default, as it did.
  for col in
    select a.attname as name, pg_get_expr(d.adbin, d.adrelid) as expression
      from pg_attribute a
      join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where a.attrelid = 'public.app_ai_api_calls'::regclass and a.attnum > 0 and not a.attisdropped
  loop
    execute format('alter view public.ai_api_calls alter column %I set default %s', col.name, col.expression);
  end loop;

  execute $fn$
    create or replace function public.vigil_app_ai_api_call_insert() returns trigger
    language plpgsql
    as $body$
    begin
      insert into public.app_ai_api_calls select (new).* returning * into new;
      return new;
    end
    $body$
    $fn$;

  -- Updates and deletes find the app's row by its id; a call Vigil stored is not the app's to change.
  execute format(
    $fn$
    create or replace function public.vigil_app_ai_api_call_change() returns trigger
    language plpgsql
    as $body$
    declare
      changed integer;
    begin
      if %s then
        raise exception 'ai_api_calls: change the app''s rows in app_ai_api_calls (it has no uuid id to find them by)'
          using errcode = 'feature_not_supported';
      end if;
      if tg_op = 'DELETE' then
        execute 'delete from public.app_ai_api_calls where id = ($1).id' using old;
      else
        execute 'update public.app_ai_api_calls set %s where id = ($2).id' using new, old;
      end if;
      get diagnostics changed = row_count;
      if changed = 0 then
        if old.span_id is not null then
          raise exception 'ai_api_calls: %% is a model call Vigil stored from a span; it changes with its span', old.id
            using errcode = 'object_not_in_prerequisite_state';
        end if;
        return null;
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end
    $body$
    $fn$,
    case when has_id then 'false' else 'true' end,
    replace(set_columns, '''', ''''''));
end
$migration$;

create trigger ai_api_calls_insert instead of insert on public.ai_api_calls
  for each row execute function public.vigil_app_ai_api_call_insert();
create trigger ai_api_calls_change instead of update or delete on public.ai_api_calls
  for each row execute function public.vigil_app_ai_api_call_change();

revoke all on public.ai_api_calls from anon, authenticated, service_role;
grant select on public.ai_api_calls to authenticated;
grant select, insert, update, delete on public.ai_api_calls to service_role;

-- The reported-cost read (core/src/query/read-cost.ts) needs a call's reported cost and how its
-- own cost was found; finance reads it through this view, which gains them as its last columns.
create or replace view public.model_call_costs with (security_barrier) as
  select project_id, tenant_id, start_time, service_name, category, surface, model, provider, deployment, status,
         user_id, session_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
         cost_usd, cost_source, reported_cost_usd
    from public.spans
   where category = 'model'
     and (select public.vigil_can('read_cost'))
     and (
       (select auth.jwt() ->> 'role') = 'service_role'
       or (
         project_id = (select public.vigil_claim_project_id())
         and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
       )
     );
