-- Budgets declared in vigil.config.* (or a project's alert_configs) reach this table through the
-- alert engine, so the dashboard's budget columns and the budget alerts agree. The engine marks the
-- rows it writes and removes only those once the config drops them.
alter table public.budgets add column if not exists source text not null default 'api' check (source in ('api', 'config'));
