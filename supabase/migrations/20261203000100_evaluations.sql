-- Evaluation results (the GenAI semconv event gen_ai.evaluation.result, or the same keys as span
-- attributes): one row per result, with the dimensions a canary or a CI gate is compared by, and
-- hourly rollups written in the spans' transaction. The explanation is content and is not kept.

create table if not exists public.evaluations (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null default 'unknown',
  trace_id text not null,
  span_id text not null,
  at timestamptz not null,
  name text not null,
  -- Null when the evaluator gave only a label.
  score double precision,
  label text,
  service_name text not null default '',
  deployment text,
  model text,
  prompt_name text,
  prompt_version text
);

create index if not exists evaluations_deployment_idx on public.evaluations (project_id, name, deployment, at desc);
create index if not exists evaluations_at_idx on public.evaluations (project_id, at desc);

alter table public.evaluations enable row level security;
create policy evaluations_member_read on public.evaluations
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.evaluations to authenticated;
grant all on public.evaluations to service_role;

-- Per hour, evaluation name and the dimensions canaries compare: how many results, how many had
-- a score, and the scores' sum and sum of squares (a mean and a spread without the raw rows).
create table if not exists public.evaluation_rollups (
  project_id uuid not null references public.projects (id) on delete cascade,
  tenant_id text not null,
  bucket timestamptz not null,
  name text not null,
  deployment text not null default '',
  model text not null default '',
  prompt_name text not null default '',
  prompt_version text not null default '',
  results bigint not null default 0,
  scored bigint not null default 0,
  score_sum double precision not null default 0,
  score_sq_sum double precision not null default 0,
  primary key (project_id, bucket, name, tenant_id, deployment, model, prompt_name, prompt_version)
);

alter table public.evaluation_rollups enable row level security;
create policy evaluation_rollups_member_read on public.evaluation_rollups
  for select to authenticated using (public.vigil_row_visible(project_id, tenant_id));
grant select on public.evaluation_rollups to authenticated;
grant all on public.evaluation_rollups to service_role;
