-- The spans' key is (project_id, start_time, trace_id, span_id): a span is its trace and span id,
-- whatever tenant it was stored under (issue 16, and a bug found measuring it).
--
-- The key carried tenant_id last, from the baseline's tenant-first key. It made no span more
-- unique, and it broke retries: a span stored before its parent arrived has no tenant; a retry
-- of its request sent beside the parent resolves to the parent's tenant, so it was not a
-- conflict and was inserted, and the late fix-up of the first copy then collided with it. The
-- whole request was refused as a 400 (the parent lost with it) where it should have stored the
-- parent once and the call once (collector/test/ingest-pipeline.test.ts, "learns a tenant").
--
-- It was also 11 of the key's bytes per span (bench:storage: indexes 119 -> 108 bytes per span).
--
-- A span stored twice under two tenants before this change keeps one copy: the one with a
-- tenant, else the first tenant by name.

delete from public.spans s
 using public.spans d
 where d.project_id = s.project_id
   and d.start_time = s.start_time
   and d.trace_id = s.trace_id
   and d.span_id = s.span_id
   and ((s.tenant_id = 'unknown'), s.tenant_id) > ((d.tenant_id = 'unknown'), d.tenant_id);

alter table public.spans drop constraint if exists spans_pkey;
alter table public.spans add primary key (project_id, start_time, trace_id, span_id);
