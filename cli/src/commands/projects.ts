import type { Command } from 'commander';
import { createProject, listProjects } from '@vigil/core';
import { withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

export function registerProjectCommands(program: Command): void {
  const projects = program.command('projects').description('manage projects (one watched app or environment each)');

  projects
    .command('create')
    .description('create a project')
    .argument('<name>', 'lowercase letters, digits, "-" or "_"')
    .action(async (name: string) => {
      await withDatabase(async (db) => {
        const project = await createProject(db.pool, name);
        info(`created project "${project.name}"; next: vigil keys create --project ${project.name}`);
        result(project.id);
      });
    });

  projects
    .command('list')
    .description('list projects')
    .action(async () => {
      await withDatabase(async (db) => {
        const all = await listProjects(db.pool);
        if (all.length === 0)
          return info('no projects yet: "vigil up" creates "default", or run "vigil projects create <name>"');
        result(['id', 'name', 'tenant keys', 'capture content', 'created'].join('\t'));
        for (const p of all) {
          result(
            [p.id, p.name, p.tenantAttributeKeys.join(','), String(p.captureContent), p.createdAt.toISOString()].join(
              '\t',
            ),
          );
        }
      });
    });
}
