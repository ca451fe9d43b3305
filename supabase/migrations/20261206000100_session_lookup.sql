-- One session's bounds by its id, whatever its tenant: the trace list of a session reads spans only
-- between its first and last seen (core/src/query/read-traces.ts), where it had read the whole
-- window. Sessions are per session, not per span: this index is about 1 byte per span on
-- bench:storage's dataset.
create index if not exists sessions_session_idx on public.sessions (project_id, session_id);
