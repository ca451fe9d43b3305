import type { Command } from 'commander';
import {
  createIngestKey,
  keyAuditRecord,
  keyState,
  listIngestKeys,
  recordAudit,
  revokeIngestKey,
  rotateIngestKey,
} from '@vigil/core';
import { cliAudit, recordKeyCreated, withDatabase } from '../context.ts';
import { durationOption } from '../duration-option.ts';
import { info, result } from '../output.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage ingest keys (stored hashed; shown once at creation)');

  keys
    .command('create')
    .description('create an ingest key for a project; the key is printed on the last line')
    .requiredOption('--project <name>', 'project the key writes into')
    .option('--label <text>', 'a note to tell keys apart')
    .option('--expires <duration>', 'the key stops working by itself after this long (e.g. 90d)')
    .action(async (options: { project: string; label?: string; expires?: string }) => {
      const expiresInMs = options.expires === undefined ? undefined : durationOption('--expires', options.expires);
      await withDatabase(async (db) => {
        const created = await createIngestKey(db.pool, options.project, options.label ?? null, {
          ...(expiresInMs === undefined ? {} : { expiresInMs }),
        });
        await recordKeyCreated(db, created);
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
        result(['id', 'project', 'prefix', 'label', 'created', 'last used', 'expires', 'state'].join('\t'));
        const now = Date.now();
        for (const key of all) {
          const state = keyState(key, now);
          result(
            [
              key.id,
              key.projectName,
              `${key.prefix}…`,
              key.label ?? '',
              key.createdAt.toISOString(),
              key.lastUsedAt?.toISOString() ?? '',
              key.expiresAt?.toISOString() ?? '',
              state === 'revoked'
                ? `revoked ${key.revokedAt!.toISOString()}`
                : state === 'rotated'
                  ? `rotated (replaced by ${key.replacedBy}), works until it expires`
                  : state,
            ].join('\t'),
          );
        }
      });
    });

  keys
    .command('rotate')
    .description('replace a key: prints a new one; the old one keeps working for the grace, then stops by itself')
    .argument('<id>', 'key id, from "vigil keys list"')
    .option('--grace <duration>', 'how long the old key keeps working (e.g. 24h)', '24h')
    .option('--expires <duration>', 'the new key stops working by itself after this long (e.g. 90d)')
    .action(async (id: string, options: { grace: string; expires?: string }) => {
      const graceMs = durationOption('--grace', options.grace);
      const expiresInMs = options.expires === undefined ? undefined : durationOption('--expires', options.expires);
      await withDatabase(async (db) => {
        const rotated = await rotateIngestKey(db.pool, id, graceMs, {
          ...(expiresInMs === undefined ? {} : { expiresInMs }),
        });
        await recordAudit(db.pool, {
          ...cliAudit(),
          projectId: rotated.previous.projectId,
          action: 'key.rotated',
          target: rotated.previous.id,
          before: { prefix: rotated.previous.prefix, state: 'active' },
          after: {
            ...keyAuditRecord(rotated.previous),
            newKey: keyAuditRecord(rotated.info),
            newKeyId: rotated.info.id,
          },
        });
        info(
          `rotated ${rotated.previous.id} (${rotated.previous.prefix}…): it works until ${rotated.previous.expiresAt!.toISOString()}; ` +
            `new key ${rotated.info.id} (${rotated.info.prefix}…) for project "${rotated.info.projectName}", shown only now:`,
        );
        result(rotated.key);
      });
    });

  keys
    .command('revoke')
    .description('revoke an ingest key; collectors refuse it within 30 seconds')
    .argument('<id>', 'key id, from "vigil keys list"')
    .action(async (id: string) => {
      await withDatabase(async (db) => {
        const key = await revokeIngestKey(db.pool, id);
        await recordAudit(db.pool, {
          ...cliAudit(),
          projectId: key.projectId,
          action: 'key.revoked',
          target: key.id,
          after: keyAuditRecord(key),
        });
        result(`revoked ${key.id} (${key.prefix}…) of project "${key.projectName}" at ${key.revokedAt!.toISOString()}`);
      });
    });
}
