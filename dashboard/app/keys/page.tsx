// Ingest keys: which keys can write into the project, when each was last used, when it ends, and
// whether a rotation is under way. Keys are created, rotated and revoked with `vigil keys`; the
// key itself is shown once, at creation, and stored only hashed.

import { Card, Text } from '@tremor/react';
import { keyState, readIngestKeys } from '@vigil/core';
import { StatusBadge } from '../../components/status-badge.tsx';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { pool } from '../../lib/db.ts';
import { formatSince } from '../../lib/format.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

const STATE_COLOR: Record<string, string> = {
  active: 'emerald',
  expiring: 'blue',
  rotated: 'amber',
  expired: 'gray',
  revoked: 'rose',
};

export default async function KeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const caller = await requireCapability('administer');
  const view = await resolveView(await searchParams, caller);
  const keys = await readIngestKeys(pool(), caller, view.projectId);
  const now = Date.now();
  return (
    <>
      <ViewBar view={view} path="/keys" />
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">Ingest keys of {view.projectName}</Text>
        <DataTable
          id="ingest-keys"
          empty="No ingest keys: create one with vigil keys create --project <name>."
          columns={['prefix', 'label', 'created (UTC)', 'last used', 'expires (UTC)', 'state']}
          rows={keys.map((k) => {
            const state = keyState(k, now);
            return [
              `${k.prefix}…`,
              k.label ?? '—',
              shortTime(k.createdAt.toISOString()),
              k.lastUsedAt ? formatSince(k.lastUsedAt.toISOString(), now) : 'never',
              k.expiresAt ? shortTime(k.expiresAt.toISOString()) : '—',
              <StatusBadge key="state" color={STATE_COLOR[state]!}>
                {state}
              </StatusBadge>,
            ];
          })}
        />
        <Text className="mt-2 text-tremor-label">
          Create, rotate (the old key keeps working through a grace) and revoke keys with{' '}
          <code>vigil keys create | rotate | revoke</code>; every change is in the Audit page. Last use is written at
          most once a minute per key.
        </Text>
      </Card>
    </>
  );
}
