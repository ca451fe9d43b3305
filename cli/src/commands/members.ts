import type { Command } from 'commander';
import {
  findProject,
  inTransaction,
  listMembers,
  MEMBER_ROLES,
  type Member,
  memberAudit,
  putMember,
  recordAudit,
  removeMember,
} from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { cliAudit, withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const roleSchema = z.enum(MEMBER_ROLES, { message: `--role is one of ${MEMBER_ROLES.join(', ')}` });

async function projectId(pool: pg.Pool, name: string): Promise<string> {
  const project = await findProject(pool, name);
  if (!project) throw new Error(`no project named "${name}"`);
  return project.id;
}

export function registerMemberCommands(program: Command): void {
  const members = program
    .command('members')
    .description('Supabase Auth users as project members: their role, and optionally one tenant');

  members
    .command('add')
    .description("give a Supabase user (auth.users.id) a role in a project, or change a member's role")
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--user <uuid>', 'the Supabase Auth user id (the JWT sub)')
    .requiredOption('--role <role>', MEMBER_ROLES.join(', '))
    .option('--tenant <id>', 'limit the member to one tenant of the project')
    .action(async (options: { project: string; user: string; role: string; tenant?: string }) => {
      const role = roleSchema.parse(options.role);
      await withDatabase(async (db) => {
        const member: Member = {
          projectId: await projectId(db.pool, options.project),
          userId: options.user,
          role,
          tenantId: options.tenant ?? null,
        };
        const before = await inTransaction(db.pool, (client) => putMember(client, member));
        await recordAudit(db.pool, { ...cliAudit(), ...memberAudit(member.projectId, member.userId, before, member) });
        info(
          `${before ? 'changed' : 'added'} member ${member.userId} of "${options.project}": ${role}${member.tenantId ? `, tenant ${member.tenantId} only` : ''}`,
        );
      });
    });

  members
    .command('remove')
    .description('take a Supabase user out of a project')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--user <uuid>', 'the Supabase Auth user id')
    .action(async (options: { project: string; user: string }) => {
      await withDatabase(async (db) => {
        const id = await projectId(db.pool, options.project);
        const removed = await removeMember(db.pool, id, options.user);
        if (!removed) throw new Error(`${options.user} is not a member of "${options.project}"`);
        await recordAudit(db.pool, { ...cliAudit(), ...memberAudit(id, options.user, removed, null) });
        info(`removed member ${options.user} of "${options.project}"`);
      });
    });

  members
    .command('list')
    .description("a project's members")
    .requiredOption('--project <name>', 'the project')
    .action(async (options: { project: string }) => {
      await withDatabase(async (db) => {
        const all = await listMembers(db.pool, await projectId(db.pool, options.project));
        if (all.length === 0) return info(`no members of "${options.project}"`);
        result(['user', 'role', 'tenant', 'changed'].join('\t'));
        for (const m of all) result([m.userId, m.role, m.tenantId ?? '', m.updatedAt.toISOString()].join('\t'));
      });
    });
}
