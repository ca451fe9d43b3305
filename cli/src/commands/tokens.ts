import type { Command } from 'commander';
import { z } from 'zod';
import type { Pool } from 'pg';
import { findProject, MEMBER_ROLES, type MemberRole, recordAudit, resolveJwtSecret, signToken } from '@vigil/core';
import { cliAudit, withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const ttlSchema = z
  .string()
  .regex(/^\d+[smhd]$/, 'ttl must look like 30m, 12h or 7d')
  .transform(
    (text) => Number(text.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400 }[text.slice(-1) as 's' | 'm' | 'h' | 'd'],
  );

const roleSchema = z.enum(MEMBER_ROLES, { message: `--role is one of ${MEMBER_ROLES.join(', ')}` });

export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description('API tokens (JWTs) for the query API and the dashboard');

  tokens
    .command('create')
    .description('sign a token for a project member, one tenant, or an admin; printed on the last line')
    .option('--project <name>', 'the project the token reads (required unless --admin)')
    .option(
      '--role <role>',
      `what the token may do: ${MEMBER_ROLES.join(', ')} (docs/operations.md, Roles)`,
      'operator',
    )
    .option('--tenant <id>', 'limit the token to one tenant of the project')
    .option('--admin', 'a service_role token that reads and changes every project')
    .option('--ttl <duration>', 'lifetime: 30m, 12h, 7d', '12h')
    .action(async (options: { project?: string; role: string; tenant?: string; admin?: boolean; ttl: string }) => {
      const ttlSeconds = ttlSchema.parse(options.ttl);
      const memberRole = roleSchema.parse(options.role);
      if (!options.admin && !options.project) throw new Error('--project <name> is required (or --admin)');
      if (options.admin && (options.project || options.tenant))
        throw new Error('--admin reads every project; leave out --project and --tenant');
      await withDatabase(async (db, config) => {
        const { secret } = await resolveJwtSecret(config);
        if (options.admin) {
          await recordTokenIssued(db.pool, null, { role: 'admin', ttl: options.ttl });
          info(`admin token, valid for ${options.ttl}:`);
          return result(await signToken({ role: 'service_role', ttlSeconds }, secret));
        }
        const project = await findProject(db.pool, options.project!);
        if (!project) throw new Error(`no project named "${options.project}"`);
        await recordTokenIssued(db.pool, project.id, {
          role: memberRole,
          tenant: options.tenant ?? null,
          ttl: options.ttl,
        });
        info(
          `${memberRole} token for project "${project.name}"${options.tenant ? `, tenant "${options.tenant}" only` : ''}, valid for ${options.ttl}:`,
        );
        result(await memberToken(project.id, memberRole, options.tenant, ttlSeconds, secret));
      });
    });

  program
    .command('token')
    .description('sign a dashboard token and print a sign-in link (the token alone on the last line)')
    .option('--project <name>', 'the project', 'default')
    .option('--tenant <id>', 'limit the member to one tenant of the project')
    .option('--role <role>', `what the member may do: ${MEMBER_ROLES.join(', ')}`, 'viewer')
    .option('--all-projects', 'an admin of every project, with a project switcher (a service_role token)')
    .option('--ttl <duration>', 'lifetime: 30m, 12h, 7d', '12h')
    .action(async (options: { project: string; tenant?: string; role: string; allProjects?: boolean; ttl: string }) => {
      const ttlSeconds = ttlSchema.parse(options.ttl);
      const memberRole = roleSchema.parse(options.role);
      if (options.allProjects && options.tenant)
        throw new Error('--all-projects sees every tenant; leave out --tenant');
      await withDatabase(async (db, config) => {
        const { secret } = await resolveJwtSecret(config);
        let token: string;
        let who: string;
        if (options.allProjects) {
          await recordTokenIssued(db.pool, null, { role: 'admin', ttl: options.ttl, for: 'dashboard' });
          token = await signToken({ role: 'service_role', ttlSeconds }, secret);
          who = 'admin of every project';
        } else {
          const project = await findProject(db.pool, options.project);
          if (!project) throw new Error(`no project named "${options.project}"`);
          await recordTokenIssued(db.pool, project.id, {
            role: memberRole,
            tenant: options.tenant ?? null,
            ttl: options.ttl,
            for: 'dashboard',
          });
          token = await memberToken(project.id, memberRole, options.tenant, ttlSeconds, secret);
          who = `${memberRole} of ${project.name}${options.tenant ? `, tenant ${options.tenant} only` : ''}`;
        }
        const host = config.VIGIL_API_HOST.includes(':') ? `[${config.VIGIL_API_HOST}]` : config.VIGIL_API_HOST;
        info(`${who}, valid for ${options.ttl}. Sign in:`);
        info(`  http://${host}:${config.VIGIL_DASHBOARD_PORT}/auth?token=${token}`);
        result(token);
      });
    });
}

function memberToken(
  projectId: string,
  memberRole: MemberRole,
  tenantId: string | undefined,
  ttlSeconds: number,
  secret: string,
): Promise<string> {
  return signToken(
    { role: 'authenticated', projectId, memberRole, ...(tenantId ? { tenantId } : {}), ttlSeconds },
    secret,
  );
}

/** Tokens are not stored; the audit log keeps that one was issued, to whom it grants what, and for how long. */
function recordTokenIssued(pool: Pool, projectId: string | null, grant: Record<string, unknown>): Promise<void> {
  return recordAudit(pool, {
    ...cliAudit(),
    projectId,
    ...(typeof grant.tenant === 'string' ? { tenantId: grant.tenant } : {}),
    action: 'token.issued',
    target: projectId === null ? 'every project' : projectId,
    after: grant,
  });
}
