-- Ingest keys that end by themselves: `vigil keys create --expires 90d`, and rotation
-- (`vigil keys rotate <id> --grace 24h`), which gives the old key an expiry at the end of the grace
-- and records the key that replaced it. A key past its expiry is refused as a revoked one is.
alter table public.ingest_keys
  add column if not exists expires_at timestamptz,
  add column if not exists replaced_by uuid references public.ingest_keys (id) on delete set null;

-- Members may see when keys end and what replaced them, as they see the rest but the hash.
grant select (expires_at, replaced_by) on public.ingest_keys to authenticated;
