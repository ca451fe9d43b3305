-- A canary and its baseline as any slice of traffic, not only a deployment's spans: a prompt
-- version, a model, a provider (the config's selector keys, validated by the API before they are
-- written and when the judge reads them back). Null: the deployment's own spans, as before.

alter table public.deployments
  add column if not exists canary_selector jsonb,
  add column if not exists baseline_selector jsonb,
  add constraint deployments_selectors_together check ((canary_selector is null) = (baseline_selector is null));
