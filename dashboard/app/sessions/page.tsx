// Sessions and traces: the costliest sessions in the range, search by session or trace id, and a
// session's calls with its total cost and latency.

import { Card, Text } from '@tremor/react';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SessionTable } from '../../components/session-table.tsx';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { readTopSessions, readTraces } from '@vigil/core';
import { pool } from '../../lib/db.ts';
import { formatCount, formatMs, formatUsd } from '../../lib/format.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_traces');
  const view = await resolveView(params, caller);
  const search = typeof params.q === 'string' ? params.q.trim() : '';
  if (/^[0-9a-f]{32}$/.test(search)) redirect(`/traces/${search}?${view.query}`);
  const window = { from: view.from, to: view.to };
  const tenant = view.selected.tenant ? { tenantId: view.selected.tenant } : {};
  const [sessions, traces, userSessions] = await Promise.all([
    readTopSessions(pool(), caller, { projectId: view.projectId, window, ...tenant, limit: 500 }),
    search
      ? readTraces(pool(), caller, {
          projectId: view.projectId,
          window,
          filters: view.filters,
          sessionId: search,
          limit: 200,
        })
      : Promise.resolve([]),
    search
      ? readTopSessions(pool(), caller, { projectId: view.projectId, window, ...tenant, userId: search, limit: 100 })
      : Promise.resolve([]),
  ]);
  const session = search ? sessions.find((s) => s.sessionId === search) : undefined;
  return (
    <>
      <ViewBar view={view} path="/sessions" />
      <form method="get" action="/sessions" className="mb-4 flex gap-2">
        {Object.entries(Object.fromEntries(new URLSearchParams(view.query)))
          .filter(([k]) => k !== 'q')
          .map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
        <input
          name="q"
          defaultValue={search}
          placeholder="session id, user id or trace id"
          className="w-96 rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-default"
        />
        <button type="submit" className="rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted">
          Find
        </button>
      </form>
      {search && userSessions.length > 0 ? (
        <Card className="mb-4" data-testid="user-sessions">
          <Text className="mb-2 font-medium text-tremor-content-strong">Sessions of user {search}</Text>
          <SessionTable id="user-session-list" view={view} sessions={userSessions} empty="" full />
        </Card>
      ) : null}
      {search && userSessions.length === 0 ? (
        <Card className="mb-4" data-testid="session-detail">
          <Text className="font-medium text-tremor-content-strong">Session {search}</Text>
          {session ? (
            <p className="mt-1 text-tremor-default text-tremor-content" data-testid="session-summary">
              tenant {session.tenantId} · user {session.userId ?? '—'} · {formatCount(session.modelCalls)} model calls ·{' '}
              {formatUsd(session.costUsd)} · model p95 {formatMs(session.modelLatencyP95Ms)} ·{' '}
              {shortTime(session.firstSeen)} → {shortTime(session.lastSeen)}
            </p>
          ) : (
            <Text className="mt-1">No session with this id in the range.</Text>
          )}
          <div className="mt-3">
            <DataTable
              id="session-traces"
              empty="No traces for this session in the range."
              columns={['start', 'trace', 'root', 'duration', 'spans', 'errors', 'cost']}
              rows={traces.map((t) => [
                shortTime(t.start),
                <Link key="t" href={`/traces/${t.traceId}?${view.query}`} className="font-mono text-tremor-brand">
                  {t.traceId.slice(0, 12)}…
                </Link>,
                t.rootName ?? '—',
                formatMs(t.durationMs),
                t.spans,
                t.errors,
                formatUsd(t.costUsd),
              ])}
            />
          </div>
        </Card>
      ) : null}
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">Costliest sessions in the range</Text>
        <SessionTable
          id="top-sessions"
          view={view}
          sessions={sessions.slice(0, 50)}
          empty="No sessions in this range (spans carry session.id when the app sets it)."
          full
        />
      </Card>
    </>
  );
}
