// A project's members through the API: list them, give a Supabase Auth user a role (or change it),
// take one out. Changing them is an admin's (row-level security decides, as the caller); each
// change is audited with the role and tenant before and after, as the CLI's are.

import {
  ApiError,
  type ApiRoute,
  auditOfCaller,
  defineRoute,
  MEMBER_ROLES,
  memberAudit,
  memberSchema,
  putMember,
  readMembers,
  recordAudit,
  removeMember,
} from '@vigil/core';
import { z } from 'zod';
import { changeAsCaller } from './changes.ts';
import { type AlertsApiOptions, projectName, projectOf } from './context.ts';

const projectQuery = z.object({ project: z.string().optional() });
const userId = memberSchema.shape.userId;
const putBody = z
  .object({
    project: projectName,
    userId,
    role: z.enum(MEMBER_ROLES, { message: `role is one of ${MEMBER_ROLES.join(', ')}` }),
    /** Limits the member to one tenant of the project; absent or null for every tenant. */
    tenantId: memberSchema.shape.tenantId.optional(),
  })
  .strict();
const removeBody = z.object({ project: projectName, userId }).strict();

export function memberRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  return [
    defineRoute<undefined, z.infer<typeof projectQuery>>({
      method: 'get',
      path: '/members',
      summary: "The project's members: Supabase Auth users with their role and optional tenant",
      tag: 'members',
      access: 'administer',
      query: projectQuery,
      handle: async ({ caller, query }) => {
        const project = await projectOf(pool, caller, query.project);
        const members = await readMembers(pool, caller, project.id);
        return {
          body: {
            project: project.name,
            members: members.map((m) => ({
              userId: m.userId,
              role: m.role,
              tenantId: m.tenantId,
              updatedAt: m.updatedAt.toISOString(),
            })),
          },
        };
      },
    }),
    defineRoute<z.infer<typeof putBody>>({
      method: 'post',
      path: '/members',
      summary: "Give a Supabase Auth user a role in the project, or change a member's role or tenant",
      tag: 'members',
      access: 'administer',
      body: putBody,
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const member = { projectId: project.id, userId: body.userId, role: body.role, tenantId: body.tenantId ?? null };
        const before = await changeAsCaller(pool, caller, (client) => putMember(client, member));
        await recordAudit(pool, {
          ...auditOfCaller(caller),
          ...memberAudit(project.id, member.userId, before, member),
        });
        const shown = (m: typeof before) => (m ? { role: m.role, tenantId: m.tenantId } : null);
        return {
          body: { project: project.name, userId: member.userId, member: shown(member), replaced: shown(before) },
        };
      },
    }),
    defineRoute<z.infer<typeof removeBody>>({
      method: 'post',
      path: '/members/remove',
      summary: 'Take a Supabase Auth user out of the project',
      tag: 'members',
      access: 'administer',
      body: removeBody,
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const removed = await changeAsCaller(pool, caller, (client) => removeMember(client, project.id, body.userId));
        if (!removed) throw new ApiError(404, `${body.userId} is not a member of project ${project.name}`);
        await recordAudit(pool, { ...auditOfCaller(caller), ...memberAudit(project.id, body.userId, removed, null) });
        return {
          body: {
            project: project.name,
            userId: body.userId,
            removed: { role: removed.role, tenantId: removed.tenantId },
          },
        };
      },
    }),
  ];
}
