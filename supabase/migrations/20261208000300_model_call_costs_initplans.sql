-- model_call_costs (20261208000100) called vigil_row_visible() on every row: a day of a busy
-- project's model calls took 1.35 s through it against 0.1-0.15 s from spans. The same rule with
-- the caller's claims read once per query (as the policies on spans read them), so the planner
-- also prunes to the caller's project partition.

create or replace view public.model_call_costs with (security_barrier) as
  select project_id, tenant_id, start_time, service_name, category, surface, model, provider, deployment, status,
         user_id, session_id, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
         cost_usd
    from public.spans
   where category = 'model'
     and (select public.vigil_can('read_cost'))
     and (
       (select auth.jwt() ->> 'role') = 'service_role'
       or (
         project_id = (select public.vigil_claim_project_id())
         and ((select public.vigil_claim_tenant_id()) is null or tenant_id = (select public.vigil_claim_tenant_id()))
       )
     );
