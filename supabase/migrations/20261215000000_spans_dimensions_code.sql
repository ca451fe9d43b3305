-- The spans view shows each row's combination code, `dimensions`, so that a reader filters spans on
-- their dimensions by the codes of the combinations that pass: read once from span_dimensions (a
-- few hundred rows) and sent as one constant int[], which Postgres hashes, so each span costs a hash
-- probe and no join (issue 16, measured by `npm run bench:query`: one day's error traces, the spans
-- read newest first until 50 traces are seen, 56 ms median joined, about 10 by codes).
--
-- Appended as the view's last column (create or replace keeps the others, the view's defaults, its
-- INSTEAD OF trigger, which ignores it, and its grants). vigil_spans_decoded does not change.

create or replace view public.spans with (security_invoker = true) as
  select
         r.project_id, r.tenant_id, r.trace_id, r.span_id, r.parent_span_id, r.name, d.service_name,
         d.kind, r.start_time, r.duration_ms, d.category, d.status, r.status_message, r.session_id,
         r.user_id, d.surface, d.deployment, d.environment, d.model, d.provider, d.operation,
         r.ttft_ms, r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens,
         r.reasoning_tokens, r.cost_usd, d.cost_source, coalesce(r.attributes, '{}') as attributes,
         r.events, r.cache_write_1h_tokens, r.reported_cost_usd, d.prompt_name, d.prompt_version,
         r.cache_hit, r.dimensions
    from public.span_rows r
    left join public.span_dimensions d on d.code = r.dimensions;
