// Members and settings, for admins: who has which role in the project (Supabase Auth users, from
// the members table), added, changed and removed here through the API, and the project's alerting
// overrides, changed with the CLI or the API. Every change is on the Audit page.

import { Card, Text } from '@tremor/react';
import { readOverrides } from '@vigil/alerts';
import { MEMBER_ROLES, readMembers, withCaller } from '@vigil/core';
import { Notice } from '../../components/notice.tsx';
import { DataTable, shortTime } from '../../components/table.tsx';
import { ViewBar } from '../../components/view-bar.tsx';
import { pool } from '../../lib/db.ts';
import { requireCapability } from '../../lib/session.ts';
import { resolveView, viewQuery } from '../../lib/view.ts';
import { removeMember, saveMember } from './actions.ts';
import { ViewFormFields } from '../../components/view-form-fields.tsx';

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
  const params = await searchParams;
  const caller = await requireCapability('administer');
  const view = await resolveView(params, caller);
  const query = viewQuery(view, { notice: null });
  // Row-level security lets only project-wide admins change members.
  const canChange = !view.tenantScoped;
  const input = 'rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-default';
  const [members, overrides] = await Promise.all([
    readMembers(pool(), caller, view.projectId),
    withCaller(pool(), caller, (client) => readOverrides(client, view.projectId)),
  ]);
  const set = overrides?.overrides ?? {};
  return (
    <>
      <ViewBar view={view} path="/members" />
      <Notice text={params.notice} />
      <Card className="mb-6">
        <Text className="mb-2 font-medium text-tremor-content-strong">Members of {view.projectName}</Text>
        {canChange ? (
          <form action={saveMember} className="mb-3 flex flex-wrap items-end gap-2" data-testid="member-form">
            <ViewFormFields query={query} project={view.projectName} />
            <input
              name="userId"
              required
              aria-label="Supabase Auth user id"
              placeholder="auth.users.id (UUID)"
              className={`${input} w-80 font-mono`}
            />
            <select name="role" defaultValue="viewer" aria-label="role" className={input}>
              {MEMBER_ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
            <input
              name="tenantId"
              aria-label="tenant"
              placeholder="one tenant only (optional)"
              className={`${input} w-52`}
            />
            <button type="submit" className="rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted">
              Add or change
            </button>
          </form>
        ) : null}
        <DataTable
          id="members"
          empty="No members yet: give a Supabase Auth user a role above, or with vigil members add."
          columns={['user (auth.users.id)', 'role', 'tenant', 'changed (UTC)', '']}
          rows={members.map((m) => [
            m.userId,
            m.role,
            m.tenantId ?? 'every tenant',
            shortTime(m.updatedAt.toISOString()),
            canChange ? (
              <form key="r" action={removeMember}>
                <ViewFormFields query={query} project={view.projectName} />
                <input type="hidden" name="userId" value={m.userId} />
                <button type="submit" className="text-tremor-brand">
                  remove
                </button>
              </form>
            ) : (
              ''
            ),
          ])}
        />
        <Text className="mt-2 text-tremor-label">
          A member signs in with their Supabase session and acts with their role. Entering a member again changes their
          role or tenant. The same changes are <code>vigil members add | remove</code> and{' '}
          <code>POST /api/v1/members</code>; every change is on the Audit page.
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
