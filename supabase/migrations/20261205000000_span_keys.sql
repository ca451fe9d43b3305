-- Span keys in time order, trace ids as 16 bytes (issue 16, measured by `npm run bench:storage` and
-- on one day's partition of its dataset, loaded in the collector's order).
--
-- 1. Trace ids are uuid, 16 bytes, where 32 hex digits of text took 33 and a regex check on every
--    insert. COPY and parameters take the same 32 hex digits (uuid input accepts them, and rejects
--    what is not 128 bits of hex); vigil_trace_hex() gives them back in OTLP's form, which is what
--    every read returns.
-- 2. The spans' primary key leads with (project_id, start_time): spans arrive nearly in time
--    order, so the key's inserts land at its right edge and its pages fill, where a key led by the
--    random trace id splits pages in the middle and leaves them about two thirds full. The same
--    columns, so the same uniqueness. It also serves time-ordered drill-downs, so spans_time_idx
--    goes.
-- 3. Trace lookups (trace views, the collector's ancestor lookups) get an index on trace_id alone:
--    partitions are per project, and a trace's spans share one entry (B-tree deduplication).
--    On one day's partition the spans' indexes took 205 bytes per span before, 104 after.
-- 4. ai_api_calls' (project_id, tenant_id, created_at) index (85 bytes a row, its inserts spread
--    over every tenant's key range) becomes a BRIN index on created_at, which rows arrive in order
--    of: the reported-cost read and retention scan time ranges.
-- 5. ai_api_calls' unique (project_id, trace_id, span_id, tenant_id) key (137 bytes a row) becomes
--    a plain index on trace_id, for the collector's fix-ups and re-pricing by trace. The unique key
--    kept a retried export from adding a second row, which the spans' key already does: the
--    collector and the bulk path write a call's row only for a span they just inserted, in the same
--    transaction (collector/test/ingest-pipeline.test.ts retries a batch and counts the rows).

create or replace function public.vigil_trace_hex(trace uuid)
returns text
language sql
immutable
parallel safe
return replace(trace::text, '-', '');

alter table public.spans drop constraint if exists spans_pkey;
alter table public.spans drop constraint if exists spans_trace_id_check;
drop index if exists public.spans_time_idx;
alter table public.spans alter column trace_id type uuid using trace_id::uuid;
alter table public.spans add primary key (project_id, start_time, trace_id, span_id, tenant_id);
create index if not exists spans_trace_idx on public.spans (trace_id);

-- Rows an app wrote itself carry no trace id; one that is not 32 hex digits stops the migration
-- here, saying which value, rather than being dropped.
drop index if exists public.ai_api_calls_project_time_idx;
drop index if exists public.ai_api_calls_span_key;
alter table public.ai_api_calls alter column trace_id type uuid using trace_id::uuid;
create index if not exists ai_api_calls_trace_idx on public.ai_api_calls (trace_id) where trace_id is not null;
create index if not exists ai_api_calls_time_brin on public.ai_api_calls using brin (created_at);

alter table public.spans_awaiting_parent alter column trace_id type uuid using trace_id::uuid;
alter table public.evaluations alter column trace_id type uuid using trace_id::uuid;
