import type { Command } from 'commander';
import { loadConfig, migrate, openDatabase } from '@vigil/core';
import { result } from '../output.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the schema migrations in supabase/migrations (safe to run twice)')
    .action(async () => {
      const db = await openDatabase(loadConfig(), { migrate: false, poolSize: 1, applicationName: 'vigil-migrate' });
      try {
        const client = await db.pool.connect();
        try {
          const applied = await migrate(client);
          result(
            applied.length === 0
              ? `schema up to date on ${db.description}`
              : `applied ${applied.length} migrations (${applied.join(', ')}) on ${db.description}`,
          );
        } finally {
          client.release();
        }
      } finally {
        await db.close();
      }
    });
}
