// Members and settings, for admins: who has which role in the project (Supabase Auth users, from
// the members table), and the project's alerting overrides. Both are changed with the CLI or the
// API, and every change is on the Audit page.

import { Card, Text } from '@tremor/react';
import { readOverrides } from '@vigil/alerts';
import { readMembers, withCaller } from '@vigil/core';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { pool } from '../../lib/db.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView } from '../../lib/view.ts';

export const dynamic = 'force-dynamic';

/** The names an override list replaces, or a dash. */
function names(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return '—';
  return list.map((item) => (item && typeof item === 'object' && 'name' in item ? String(item.name) : '?')).join(', ');
}

export default async function MembersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const caller = await requireCapability('administer');
  const view = await resolveView(await searchParams, caller);
  const [members, overrides] = await Promise.all([
    readMembers(pool(), caller, view.projectId),
    withCaller(pool(), caller, (client) => readOverrides(client, view.projectId)),
  ]);
  const set = overrides?.overrides ?? {};
  return (
    <>
      <ViewBar view={view} path="/members" />
      <Card className="mb-6">
        <Text className="mb-2 font-medium text-tremor-content-strong">Members of {view.projectName}</Text>
        <DataTable
          id="members"
          empty="No members yet: Supabase Auth users get a role with vigil members add."
          columns={['user (auth.users.id)', 'role', 'tenant', 'changed (UTC)']}
          rows={members.map((m) => [
            m.userId,
            m.role,
            m.tenantId ?? 'every tenant',
            shortTime(m.updatedAt.toISOString()),
          ])}
        />
        <Text className="mt-2 text-tremor-label">
          A member signs in with their Supabase session and acts with their role. Add, change and remove members with{' '}
          <code>vigil members add | remove</code>; every change is on the Audit page.
        </Text>
      </Card>
      <Card>
        <Text className="mb-2 font-medium text-tremor-content-strong">Alerting overrides</Text>
        {overrides ? (
          <DataTable
            id="alert-overrides"
            empty=""
            columns={['replaces', 'by name']}
            rows={[
              ['SLOs', names(set.slos)],
              ['rules', names(set.rules)],
              ['budgets', names(set.budgets)],
              ['Slack routes', names(set.slack)],
              ['time budgets', set.timeBudgets ? 'set' : '—'],
              ['last changed (UTC)', shortTime(overrides.updatedAt.toISOString())],
            ]}
          />
        ) : (
          <Text>
            <span data-testid="alert-overrides-none">None: the config file alone applies.</span>
          </Text>
        )}
        <Text className="mt-2 text-tremor-label">
          Overrides replace the config file's SLOs, rules and budgets of the same name in this project. Set them with{' '}
          <code>vigil overrides set --file</code> or <code>POST /api/v1/alerts/overrides</code>; they are checked as a
          config file is, and each change is on the Audit page.
        </Text>
      </Card>
    </>
  );
}
