// Where Vigil's data lives: DATABASE_URL when set, otherwise the embedded server under .vigil/.

import type pg from 'pg';
import type { VigilConfig } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migratePool } from './migrate.ts';
import { createPool } from './pool.ts';

export { createPool } from './pool.ts';

export interface Database {
  url: string;
  pool: pg.Pool;
  /** Where the data is, safe to print. */
  description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  poolSize?: number;
  applicationName?: string;
}

export async function openDatabase(config: VigilConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  let url = config.DATABASE_URL;
  let description: string;
  let stopServer = async (): Promise<void> => {};
  if (url) {
    description = 'the server at DATABASE_URL';
  } else {
    const server = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.VIGIL_PG_PORT });
    url = server.url;
    stopServer = server.stop;
    description = `embedded Postgres on 127.0.0.1:${config.VIGIL_PG_PORT} (data in ${config.dataDir}/pg)`;
  }
  const pool = createPool(url, options);
  try {
    if (options.migrate !== false) await migratePool(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    await stopServer().catch(() => {});
    throw error;
  }
  return {
    url,
    pool,
    description,
    close: async () => {
      await pool.end().catch(() => {});
      await stopServer();
    },
  };
}
