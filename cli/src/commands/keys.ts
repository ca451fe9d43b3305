import type { Command } from 'commander';
import { createIngestKey, listIngestKeys, revokeIngestKey } from '@vigil/core';
import { withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage ingest keys (stored hashed; shown once at creation)');

  keys
    .command('create')
    .description('create an ingest key for a project; the key is printed on the last line')
    .requiredOption('--project <name>', 'project the key writes into')
    .option('--label <text>', 'a note to tell keys apart')
    .action(async (options: { project: string; label?: string }) => {
      await withDatabase(async (db) => {
        const created = await createIngestKey(db.pool, options.project, options.label ?? null);
        info(
          `created key ${created.info.id} (${created.info.prefix}…) for project "${created.info.projectName}"; it is shown only now:`,
        );
        result(created.key);
      });
    });

  keys
    .command('list')
    .description('list ingest keys (prefixes only)')
    .option('--project <name>', 'only this project')
    .action(async (options: { project?: string }) => {
      await withDatabase(async (db) => {
        const all = await listIngestKeys(db.pool, options.project);
        if (all.length === 0) return info('no ingest keys');
        result(['id', 'project', 'prefix', 'label', 'created', 'last used', 'revoked'].join('\t'));
        for (const key of all) {
          result(
            [
              key.id,
              key.projectName,
              `${key.prefix}…`,
              key.label ?? '',
              key.createdAt.toISOString(),
              key.lastUsedAt?.toISOString() ?? '',
              key.revokedAt?.toISOString() ?? '',
            ].join('\t'),
          );
        }
      });
    });

  keys
    .command('revoke')
    .description('revoke an ingest key; collectors refuse it within 30 seconds')
    .argument('<id>', 'key id, from "vigil keys list"')
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const key = await revokeIngestKey(db.pool, id);
        result(`revoked ${key.id} (${key.prefix}…) of project "${key.projectName}" at ${key.revokedAt!.toISOString()}`);
      });
    });
}
