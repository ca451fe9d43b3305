// Audit: who changed keys, tokens, silences, deployments and prices, from where, and what it was
// before and after. For compliance reviews and for "who silenced this?" at 3 a.m.

import { Card, Text } from '@tremor/react';
import Link from 'next/link';
import { AUDIT_ACTIONS, type AuditAction, readAudit } from '@vigil/core';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { pool } from '../../lib/db.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView, viewHref } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

/** A change's before and after, as stored: shown as written, never read back by guessing keys. */
const state = (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : '—');

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const caller = await requireCapability('read_audit');
  const view = await resolveView(params, caller);
  const wanted = typeof params.action === 'string' ? params.action : undefined;
  const action = (AUDIT_ACTIONS as readonly string[]).includes(wanted ?? '') ? (wanted as AuditAction) : undefined;
  const events = await readAudit(pool(), caller, {
    projectId: view.projectId,
    from: view.from,
    to: view.to,
    ...(action ? { actions: [action] } : {}),
    limit: 500,
  });
  const things = [...new Set(AUDIT_ACTIONS.map((a) => a.split('.')[0]!))];
  return (
    <>
      <ViewBar view={view} path="/audit" />
      <Card>
        <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1 text-tremor-default">
          <Text className="mr-2 font-medium text-tremor-content-strong">Audit log</Text>
          <Link
            href={viewHref(view, '/audit', { action: null })}
            className={action ? 'text-tremor-content' : 'font-semibold text-tremor-brand'}
          >
            all
          </Link>
          {things.map((thing) => (
            <span key={thing} className="flex gap-2">
              {AUDIT_ACTIONS.filter((a) => a.startsWith(`${thing}.`)).map((a) => (
                <Link
                  key={a}
                  href={viewHref(view, '/audit', { action: a })}
                  className={a === action ? 'font-semibold text-tremor-brand' : 'text-tremor-content'}
                  data-testid={`audit-filter-${a}`}
                >
                  {a}
                </Link>
              ))}
            </span>
          ))}
        </div>
        <DataTable
          id="audit-events"
          empty="No changes recorded in this range."
          columns={['when (UTC)', 'action', 'target', 'who', 'from', 'tenant', 'before', 'after']}
          rows={events.map((e) => [
            shortTime(e.at.toISOString()),
            e.action,
            e.target,
            e.actor,
            e.origin,
            e.tenantId,
            state(e.before),
            state(e.after),
          ])}
        />
        <Text className="mt-2 text-tremor-label">
          Append-only: no one, Vigil included, can change or delete these rows. Newest first, at most 500.
        </Text>
      </Card>
    </>
  );
}
