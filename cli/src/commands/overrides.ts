// `vigil overrides`: a project's alerting overrides (SLOs, rules, budgets, time budgets and Slack
// routes that replace the config file's of the same name), shown, replaced from a file, or
// cleared; each change is in the audit log, as when made through the API.

import type { Command } from 'commander';
import {
  clearOverrides,
  overridesAudit,
  putOverrides,
  readOverrides,
  readOverridesFile,
  validateOverrides,
} from '@vigil/alerts';
import { findProject, inTransaction, recordAudit } from '@vigil/core';
import type pg from 'pg';
import { cliAudit, withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

async function projectOf(pool: pg.Pool, name: string): Promise<{ id: string; name: string }> {
  const project = await findProject(pool, name);
  if (!project) throw new Error(`no project named "${name}"`);
  return project;
}

export function registerOverrideCommands(program: Command): void {
  const overrides = program
    .command('overrides')
    .description("a project's alerting overrides: SLOs, rules, budgets and Slack routes replacing the file's by name");

  overrides
    .command('show')
    .description("print the project's overrides as stored (JSON)")
    .requiredOption('--project <name>', 'the project')
    .action(async (options: { project: string }) => {
      await withDatabase(async (db) => {
        const project = await projectOf(db.pool, options.project);
        const stored = await readOverrides(db.pool, project.id);
        if (!stored) return info(`"${project.name}" has no overrides: the config file alone applies`);
        result(JSON.stringify(stored.overrides, null, 2));
      });
    });

  overrides
    .command('set')
    .description("replace the project's overrides with a YAML or JSON file's (checked first)")
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--file <path>', 'the overrides: {slos, rules, budgets, timeBudgets, slack}, without project')
    .action(async (options: { project: string; file: string }) => {
      await withDatabase(async (db) => {
        const project = await projectOf(db.pool, options.project);
        const overrides = validateOverrides(readOverridesFile(options.file), project.name);
        const before = await inTransaction(db.pool, (client) => putOverrides(client, project.id, overrides));
        await recordAudit(db.pool, { ...cliAudit(), ...overridesAudit(project.id, before, overrides) });
        info(
          `${before ? 'replaced' : 'set'} the overrides of "${project.name}"; the engine applies them on its next tick`,
        );
      });
    });

  overrides
    .command('clear')
    .description("remove the project's overrides, so the config file alone applies")
    .requiredOption('--project <name>', 'the project')
    .action(async (options: { project: string }) => {
      await withDatabase(async (db) => {
        const project = await projectOf(db.pool, options.project);
        const before = await inTransaction(db.pool, (client) => clearOverrides(client, project.id));
        if (!before) return info(`"${project.name}" has no overrides`);
        await recordAudit(db.pool, { ...cliAudit(), ...overridesAudit(project.id, before, null) });
        info(`cleared the overrides of "${project.name}"`);
      });
    });
}
