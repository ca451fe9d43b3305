import type { Command } from 'commander';
import { AUDIT_ACTIONS, type AuditAction, getProject, readAudit, SERVICE_CALLER } from '@vigil/core';
import { withDatabase } from '../context.ts';
import { durationOption } from '../duration-option.ts';
import { info, result } from '../output.ts';

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'list the audit log: who changed keys, tokens, silences, deployments and prices, from where, newest first',
    )
    .option('--project <name>', 'the project', 'default')
    .option('--since <duration>', 'only events this recent (e.g. 7d)', '30d')
    .option('--action <actions>', `only these, comma-separated: ${AUDIT_ACTIONS.join(', ')}`)
    .option('--limit <n>', 'at most this many events', '200')
    .option('--json', 'one JSON object per line, with before and after')
    .action(async (options: { project: string; since: string; action?: string; limit: string; json?: boolean }) => {
      const sinceMs = durationOption('--since', options.since);
      const actions = options.action?.split(',').map((a) => a.trim());
      const unknown = actions?.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
      if (unknown?.length) throw new Error(`unknown action "${unknown[0]}": one of ${AUDIT_ACTIONS.join(', ')}`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new Error('--limit is a whole number from 1 to 10000');
      await withDatabase(async (db) => {
        const project = await getProject(db.pool, options.project);
        const events = await readAudit(db.pool, SERVICE_CALLER, {
          projectId: project.id,
          from: new Date(Date.now() - sinceMs),
          ...(actions ? { actions: actions as AuditAction[] } : {}),
          limit,
        });
        if (events.length === 0) return info(`no audit events for "${project.name}" in the last ${options.since}`);
        if (!options.json) result(['at', 'action', 'target', 'actor', 'origin', 'tenant'].join('\t'));
        for (const e of events)
          result(
            options.json
              ? JSON.stringify(e)
              : [e.at.toISOString(), e.action, e.target, e.actor, e.origin, e.tenantId].join('\t'),
          );
      });
    });
}
