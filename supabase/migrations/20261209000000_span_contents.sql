-- Captured content apart from its span (issue 18), so row-level security can hide it by role.
--
-- A project that opts in to content capture (projects.capture_content) used to keep prompts,
-- completions and tool payloads inside spans.attributes and spans.events, which every role that
-- reads traces could select directly (PostgREST). The collector now stores a span's content here
-- instead: its content attributes, and its whole events list where events held content; the span
-- keeps the rest. What is content is core/src/spans/content.ts, applied at ingest.
--
-- Rows are read only with the read_content capability (operator, admin), and only where the caller
-- may read the span itself: the policy asks spans, whose own policy applies the project and tenant
-- rule, so a late tenant fix-up on the span needs no copy here.

create table if not exists public.span_contents (
  project_id uuid not null references public.projects (id) on delete cascade,
  trace_id uuid not null,
  span_id text not null,
  -- The span's start: retention deletes content with its span's raw retention.
  start_time timestamptz not null,
  -- Only the content attributes; the span's other attributes stay on the span.
  attributes jsonb not null default '{}',
  -- The span's whole events list when any event held content (spans.events then has it without).
  events jsonb,
  primary key (project_id, trace_id, span_id)
);

create index if not exists span_contents_time_brin on public.span_contents using brin (start_time);

alter table public.span_contents enable row level security;

create policy span_contents_member_read on public.span_contents
  for select to authenticated
  using (
    project_id = (select public.vigil_claim_project_id())
    and (select public.vigil_can('read_content'))
    and exists (
      select 1 from public.spans s
       where s.project_id = span_contents.project_id
         and s.trace_id = span_contents.trace_id
         and s.span_id = span_contents.span_id
    )
  );

grant select on public.span_contents to authenticated;
grant all on public.span_contents to service_role;

-- Spans stored before this migration by projects that capture content still hold it in their
-- attributes and events. The collector's maintenance moves it here (core/src/spans/move-content.ts),
-- a few hundred spans at a time, in key order from the oldest span retention keeps to now; each row
-- is a project's cursor, deleted when its walk is done.
create table if not exists public.content_moves (
  project_id uuid primary key references public.projects (id) on delete cascade,
  after_start timestamptz not null,
  after_trace uuid not null default '00000000-0000-0000-0000-000000000000',
  after_span text not null default '',
  until timestamptz not null
);

insert into public.content_moves (project_id, after_start, until)
select id, now() - make_interval(days => raw_retention_days + 1), now()
  from public.projects
 where capture_content
on conflict (project_id) do nothing;

alter table public.content_moves enable row level security;
grant all on public.content_moves to service_role;
