-- Hour rollups of the big cuboids kept for days, not 13 months (issue 16, `npm run bench:storage`).
--
-- The cuboids with a row per tenant and surface, or per tenant and model, each hour (0, 1, 2 and 5)
-- are most of the hour rows: 3.4M of the 10M-span bench's 3.6M over its 30 days. Kept as long as
-- day rows, they alone grew to about 13 times the raw spans' size. Retention now deletes them
-- after days (VIGIL_HOUR_ROLLUP_RETENTION_DAYS) and records from when they are kept, as it does for
-- minutes; older windows of those cuboids are answered from their day rows.

alter table public.rollup_retention drop constraint if exists rollup_retention_grain_check;
alter table public.rollup_retention add constraint rollup_retention_grain_check check (grain in ('minute', 'hour'));

insert into public.rollup_retention (grain, kept_from) values ('hour', '-infinity') on conflict (grain) do nothing;
