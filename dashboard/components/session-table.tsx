// Sessions as a table whose rows open the session: on Cost (the short form) and Sessions (full).

import Link from 'next/link';
import type { SessionSummary } from '@vigil/core';
import { formatCount, formatMs, formatUsd } from '../lib/format.ts';
import { type View, viewHref } from '../lib/view.ts';
import { DataTable, shortTime } from './table.tsx';

export function SessionTable({
  id,
  view,
  sessions,
  empty,
  full = false,
}: {
  id: string;
  view: View;
  sessions: SessionSummary[];
  empty: string;
  full?: boolean;
}) {
  const link = (s: SessionSummary) => (
    <Link key="s" href={viewHref(view, '/sessions', { q: s.sessionId })} className="text-tremor-brand">
      {s.sessionId}
    </Link>
  );
  return full ? (
    <DataTable
      id={id}
      empty={empty}
      columns={['session', 'tenant', 'user', 'model calls', 'cost', 'model p95', 'last seen']}
      rows={sessions.map((s) => [
        link(s),
        s.tenantId,
        s.userId ?? '—',
        formatCount(s.modelCalls),
        formatUsd(s.costUsd),
        formatMs(s.modelLatencyP95Ms),
        shortTime(s.lastSeen),
      ])}
    />
  ) : (
    <DataTable
      id={id}
      empty={empty}
      columns={['session', 'tenant', 'model calls', 'cost']}
      rows={sessions.map((s) => [link(s), s.tenantId, formatCount(s.modelCalls), formatUsd(s.costUsd)])}
    />
  );
}
