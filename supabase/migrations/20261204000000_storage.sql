-- Fewer bytes per span (issue 16, measured by `npm run bench:storage`).
--
-- 1. Minute rollups are kept for days, not for the raw spans' whole retention: they were more rows
--    than spans (406 bytes per span of the 1,356 on the 10M-span bench). Older windows are answered
--    from hours; rollup_retention says from when minute rows are kept, so the query planner never
--    reads a grain where its rows are gone.
-- 2. The spans' primary key leads with the trace, so it also serves trace lookups and the separate
--    (project_id, trace_id) index goes (64 bytes per span). Its columns, and so what it keeps
--    unique, are the same.
-- 3. ai_api_calls likewise: the unique key leads with the trace and replaces the trace index. The
--    (project_id, user_id, created_at) index goes: nothing in Vigil reads calls by user, and an app
--    that does keeps its own (the example app's ai_api_calls_user_recent).

create table if not exists public.rollup_retention (
  grain text primary key check (grain in ('minute')),
  -- Buckets from here on are kept in this grain; earlier ones were deleted by retention.
  kept_from timestamptz not null
);

insert into public.rollup_retention (grain, kept_from) values ('minute', '-infinity') on conflict (grain) do nothing;

alter table public.rollup_retention enable row level security;
create policy rollup_retention_read on public.rollup_retention for select to authenticated using (true);
grant select on public.rollup_retention to authenticated;
grant all on public.rollup_retention to service_role;

alter table public.spans drop constraint if exists spans_pkey;
alter table public.spans add primary key (project_id, trace_id, span_id, tenant_id, start_time);
drop index if exists public.spans_trace_idx;

drop index if exists public.ai_api_calls_span_key;
create unique index if not exists ai_api_calls_span_key
  on public.ai_api_calls (project_id, trace_id, span_id, tenant_id)
  where trace_id is not null;
drop index if exists public.ai_api_calls_trace_idx;
drop index if exists public.ai_api_calls_user_time_idx;
