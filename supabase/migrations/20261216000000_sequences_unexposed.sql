-- On Supabase, default privileges also grant every sequence the owner makes in public to anon and
-- authenticated, update included: either role could setval the id sequence of alert_events,
-- audit_events or span_dimensions and make the next inserts collide, or read last_value to learn
-- how many rows were written. Vigil never needs either role to touch a sequence (its tests run
-- with no grant on any), so its own sequences are revoked from both. An app's own sequences, its
-- ai_api_calls id among them, are the app's to grant and are left as they are.
-- core/test/default-privileges.test.ts migrates under Supabase's default privileges and checks it.

do $$
declare
  sequence_name text;
begin
  for sequence_name in
    select pg_get_serial_sequence(format('public.%I', owner.table_name), owner.column_name)
      from (values ('alert_events', 'id'), ('alert_notifications', 'id'), ('canary_judgements', 'id'),
                   ('rollback_hook_calls', 'id'), ('rollout_steps', 'id'), ('rollout_hook_calls', 'id'),
                   ('evaluations', 'id'), ('audit_events', 'id'), ('span_dimensions', 'code'))
           as owner(table_name, column_name)
  loop
    execute format('revoke all on sequence %s from anon, authenticated', sequence_name);
  end loop;
end
$$;
