-- From when the small cuboids keep their minute rows (core/src/rollups/cuboids.ts, `longMinutes`:
-- the cuboids that sum over tenants, kept at minute grain). Retention now keeps their minutes as
-- long as the big cuboids' hours (8 days by default), the others' 4, and records from when, as it
-- does for minutes and hours, so the query planner never plans a read of minute rows that are
-- gone. It starts where every minute is kept today: before this, retention deleted the small
-- cuboids' minutes at the minute horizon too, so a horizon worked out from the settings would
-- have read four days of rows that are not there.

alter table public.rollup_retention drop constraint if exists rollup_retention_grain_check;
alter table public.rollup_retention
  add constraint rollup_retention_grain_check check (grain in ('minute', 'hour', 'long_minute'));

insert into public.rollup_retention (grain, kept_from)
  select 'long_minute', kept_from from public.rollup_retention where grain = 'minute'
  on conflict (grain) do nothing;
