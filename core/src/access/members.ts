// Supabase Auth users as Vigil members: the `members` table gives a user (auth.users.id, the JWT's
// `sub`) a role in a project, optionally limited to one tenant. A Supabase session token then acts
// as that member, so a Supabase login works on the API and the dashboard without a Vigil token.

import type pg from 'pg';
import { z } from 'zod';
import type { AuditEvent } from '../audit/audit-log.ts';
import { AuthError } from '../http/auth-error.ts';
import { type Caller, withCaller } from '../query/caller.ts';
import { MEMBER_ROLES, type MemberRole } from './roles.ts';

export const memberSchema = z.object({
  projectId: z.string().uuid(),
  userId: z.string().uuid('a Supabase Auth user id (auth.users.id) is a UUID'),
  role: z.enum(MEMBER_ROLES),
  tenantId: z.string().min(1).max(200).nullable(),
});
export type Member = z.infer<typeof memberSchema>;

interface MembershipRow {
  project_id: string;
  project_name: string;
  role: MemberRole;
  tenant_id: string | null;
}

/**
 * The caller a Supabase user acts as. A member of several projects names one (its id or name);
 * without a name, the first project by name. Read by Vigil's own connection: membership decides
 * who the caller is, before any row-level security applies.
 */
export async function memberCaller(pool: pg.Pool, userId: string, project?: string): Promise<Caller> {
  const { rows } = await pool.query<MembershipRow>(
    `select m.project_id, p.name as project_name, m.role, m.tenant_id
       from members m join projects p on p.id = m.project_id
      where m.user_id = $1 order by p.name`,
    [userId],
  );
  if (rows.length === 0)
    throw new AuthError(
      'this Supabase user is not a member of any Vigil project (an admin adds one: vigil members add)',
    );
  const row = project ? rows.find((r) => r.project_id === project || r.project_name === project) : rows[0];
  if (!row) throw new AuthError(`this Supabase user is not a member of project "${project}"`);
  return {
    role: 'authenticated',
    projectId: row.project_id,
    memberRole: row.role,
    userId,
    ...(row.tenant_id ? { tenantId: row.tenant_id } : {}),
  };
}

/**
 * Adds a member or changes one's role or tenant, in the caller's transaction (as the caller, row-level
 * security lets only the project's admins). Returns the row as it was, or null when new.
 */
export async function putMember(client: pg.ClientBase, member: Member): Promise<Member | null> {
  const m = memberSchema.parse(member);
  const { rows } = await client.query<{ role: MemberRole; tenant_id: string | null }>(
    'select role, tenant_id from members where project_id = $1 and user_id = $2 for update',
    [m.projectId, m.userId],
  );
  await client.query(
    `insert into members (project_id, user_id, role, tenant_id) values ($1, $2, $3, $4)
     on conflict (project_id, user_id) do update set role = excluded.role, tenant_id = excluded.tenant_id, updated_at = now()`,
    [m.projectId, m.userId, m.role, m.tenantId],
  );
  const before = rows[0];
  return before ? { projectId: m.projectId, userId: m.userId, role: before.role, tenantId: before.tenant_id } : null;
}

/** Removes a member; returns the row removed, or null when there was none (or none the caller may remove). */
export async function removeMember(
  client: pg.Pool | pg.ClientBase,
  projectId: string,
  userId: string,
): Promise<Member | null> {
  const { rows } = await client.query<{ role: MemberRole; tenant_id: string | null }>(
    `delete from members where project_id = $1 and user_id = $2 returning role, tenant_id`,
    [projectId, userId],
  );
  const row = rows[0];
  return row ? { projectId, userId, role: row.role, tenantId: row.tenant_id } : null;
}

/**
 * What the audit log keeps of a membership change: the role and the tenant before and after, never
 * anything else. `after` null is a removal.
 */
export function memberAudit(
  projectId: string,
  userId: string,
  before: Member | null,
  after: Member | null,
): Pick<AuditEvent, 'projectId' | 'action' | 'target' | 'before' | 'after'> {
  const grant = (m: Member | null) => (m ? { role: m.role, tenant: m.tenantId } : null);
  return {
    projectId,
    action: after === null ? 'member.removed' : before ? 'member.changed' : 'member.added',
    target: userId,
    before: grant(before),
    after: grant(after),
  };
}

/** A project's members, by role then user id. */
export async function listMembers(
  db: Pick<pg.ClientBase, 'query'>,
  projectId: string,
): Promise<(Member & { updatedAt: Date })[]> {
  const { rows } = await db.query<{ user_id: string; role: MemberRole; tenant_id: string | null; updated_at: Date }>(
    `select user_id, role, tenant_id, updated_at from members where project_id = $1 order by role, user_id`,
    [projectId],
  );
  return rows.map((r) => ({
    projectId,
    userId: r.user_id,
    role: r.role,
    tenantId: r.tenant_id,
    updatedAt: r.updated_at,
  }));
}

/** The project's members as the caller may see them (row-level security: its admins see them all). */
export function readMembers(
  pool: pg.Pool,
  caller: Caller,
  projectId: string,
): Promise<(Member & { updatedAt: Date })[]> {
  return withCaller(pool, caller, (client) => listMembers(client, projectId));
}
