-- Span ids as bigint (issue 16, measured by `npm run bench:storage`). An OTLP span id is 8 bytes;
-- as 16 hex digits of text it took 17 bytes in the row and in each key that holds it, and a regex
-- check on every insert. As bigint it takes 8: on one day of the bench's dataset the spans took
-- 374 bytes per span before and 343 after (the primary key's entries shrink to a multiple of 8
-- bytes, which text's 17 never fit).
--
-- A span id is stored as the signed 64-bit integer with the same bits (two's complement), so every
-- id has one integer and back. vigil_span_id() turns the 16 hex digits into it, and refuses
-- anything that is not 64 bits of hex; vigil_span_hex() gives the hex back, which is what every
-- read returns, as vigil_trace_hex() does for trace ids. COPY takes the integer's decimal text
-- (core/src/spans/span-id.ts).
--
-- Every table of Vigil's that holds a span id changes with spans, so they compare without a cast:
-- spans_awaiting_parent, span_contents, span_logs, evaluations, evaluations_awaiting_span and
-- content_moves' cursor. An app's own ai_api_calls rows keep their span_id as they wrote it; the
-- view gives a span's call its id in hex, as before, and the same derived row id.

create or replace function public.vigil_span_hex(span bigint)
returns text
language sql
immutable
parallel safe
return lpad(to_hex(span), 16, '0');

-- A bit string cast pads or cuts to 64 bits without a word, so the length is checked first.
create or replace function public.vigil_span_id(hex text)
returns bigint
language plpgsql
immutable
strict
parallel safe
as $$
begin
  if hex !~ '^[0-9a-fA-F]{16}$' then
    raise exception 'a span id is 16 hex digits, got "%"', left(hex, 40) using errcode = 'invalid_text_representation';
  end if;
  return ('x' || hex)::bit(64)::bigint;
end
$$;

-- These policies compare span ids with spans', which a column's type cannot change under either:
-- they are dropped for the change and made again as they were, below.
drop policy if exists span_contents_member_read on public.span_contents;
drop policy if exists span_logs_member_read on public.span_logs;

-- The view reads spans.span_id, which a column's type cannot change under. It is replaced by
-- itself without that column, then by itself reading it in hex; create or replace keeps its
-- triggers, defaults and grants, and its options are given again.
do $migration$
declare
  definition constant text := pg_get_viewdef('public.ai_api_calls'::regclass);
  options constant text[] := (select reloptions from pg_class where oid = 'public.ai_api_calls'::regclass);
  with_options constant text :=
    case when options is null then '' else format(' with (%s)', array_to_string(options, ', ')) end;
begin
  execute format('create or replace view public.ai_api_calls%s as %s', with_options,
    regexp_replace(definition, '\ms\.span_id\M', 'null::text', 'g'));

  alter table public.spans drop constraint if exists spans_span_id_check;
  alter table public.spans
    alter column span_id type bigint using public.vigil_span_id(span_id),
    alter column parent_span_id type bigint using public.vigil_span_id(parent_span_id);

  execute format('create or replace view public.ai_api_calls%s as %s', with_options,
    regexp_replace(definition, '\ms\.span_id\M', 'public.vigil_span_hex(s.span_id)', 'g'));
end
$migration$;

alter table public.spans_awaiting_parent
  alter column parent_span_id type bigint using public.vigil_span_id(parent_span_id),
  alter column span_id type bigint using public.vigil_span_id(span_id);

alter table public.evaluations alter column span_id type bigint using public.vigil_span_id(span_id);
alter table public.evaluations_awaiting_span alter column span_id type bigint using public.vigil_span_id(span_id);

-- The cursor starts before every span: '' sorted first as text, the smallest bigint does now.
alter table public.content_moves alter column after_span drop default;
alter table public.content_moves
  alter column after_span type bigint
  using case when after_span = '' then -9223372036854775808 else public.vigil_span_id(after_span) end;
alter table public.content_moves alter column after_span set default -9223372036854775808;

alter table public.span_contents alter column span_id type bigint using public.vigil_span_id(span_id);
alter table public.span_logs alter column span_id type bigint using public.vigil_span_id(span_id);

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
