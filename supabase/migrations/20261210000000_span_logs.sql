-- Log records that name their span (issue 17): an OTLP LogRecord with a trace_id and a span_id, an
-- app's log line written inside a span or a GenAI event an instrumentation emits as a log, is kept
-- with that span and shown under it in the trace view. What a record keeps is the collector's rule
-- (collector/src/normalize/span-log.ts, the table in its README): without content capture, content
-- events are not kept and content attributes and bodies are dropped; a project that captures
-- content also keeps the record as sent, in a second row marked `content`.
--
-- Rows carry no tenant of their own: as with span_contents, the policy asks spans, whose own
-- policy applies the project and tenant rule (and a late tenant fix-up on the span), so a record
-- is visible exactly where its span is. A record whose span never arrives is visible to no member
-- and leaves with the raw retention.

create table if not exists public.span_logs (
  project_id uuid not null references public.projects (id) on delete cascade,
  trace_id uuid not null,
  span_id text not null,
  at timestamptz not null,
  -- md5 of the record as sent (time, severity, name, body, attributes): a retried export is kept once.
  digest bytea not null,
  -- true: the record as sent, content included, read only with read_content; false: without content.
  content boolean not null default false,
  -- LogRecord.event_name, or the event.name attribute; '' for a plain log line.
  name text not null default '',
  -- OTLP SeverityNumber, 0 when unset.
  severity smallint not null default 0,
  body jsonb,
  attributes jsonb not null default '{}',
  primary key (project_id, trace_id, span_id, digest, content)
);

create index if not exists span_logs_time_brin on public.span_logs using brin (at);

alter table public.span_logs enable row level security;

create policy span_logs_member_read on public.span_logs
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and (not content or (select public.vigil_can('read_content')))
    and exists (
      select 1 from public.spans s
       where s.project_id = span_logs.project_id
         and s.trace_id = span_logs.trace_id
         and s.span_id = span_logs.span_id
    )
  );

grant select on public.span_logs to authenticated;
grant all on public.span_logs to service_role;
