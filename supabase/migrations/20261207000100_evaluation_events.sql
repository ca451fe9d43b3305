-- Evaluation results sent as OTLP log events (gen_ai.evaluation.result, with the evaluated span's
-- trace and span id) wait here until their span is stored, then become rows of `evaluations` with
-- the span's tenant, deployment, model and prompt (core/src/evaluations/held-evaluations.ts). The
-- key keeps a retried export from adding a result twice.
create table if not exists public.evaluations_awaiting_span (
  project_id uuid not null references public.projects (id) on delete cascade,
  trace_id text not null,
  span_id text not null,
  name text not null,
  at timestamptz not null,
  score double precision,
  label text,
  -- What the record itself says, for a result whose span never arrives.
  tenant_id text not null default 'unknown',
  service_name text not null default '',
  received_at timestamptz not null default now(),
  primary key (project_id, trace_id, span_id, name, at)
);
create index if not exists evaluations_awaiting_span_received_idx on public.evaluations_awaiting_span (received_at);

alter table public.evaluations_awaiting_span enable row level security;
revoke all on public.evaluations_awaiting_span from anon, authenticated;
grant all on public.evaluations_awaiting_span to service_role;
