import type { Command } from 'commander';
import { loadConfig } from '@vigil/core/config';
import { ensureDefaultProject, openServiceDatabase, shutdownSignal, startApiService, startCollectorService, stopOnSignal } from '../services.ts';

export function registerServeCommands(program: Command): void {
  program
    .command('up')
    .description('start Vigil: database (embedded unless DATABASE_URL is set), migrations, collector, query API')
    .action(async () => {
      const config = loadConfig();
      const signal = shutdownSignal();
      const db = await openServiceDatabase(config);
      try {
        await ensureDefaultProject(db, config);
        const collector = await startCollectorService(db, config);
        const api = await startApiService(db, config);
        await stopOnSignal(signal, async () => {
          await api.close();
          await collector.close();
        });
      } finally {
        await db.close();
      }
    });

  program
    .command('collector')
    .description('run the OTLP collector alone')
    .action(async () => {
      const config = loadConfig();
      const signal = shutdownSignal();
      const db = await openServiceDatabase(config);
      try {
        const collector = await startCollectorService(db, config);
        await stopOnSignal(signal, () => collector.close());
      } finally {
        await db.close();
      }
    });
}
