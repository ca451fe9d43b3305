// Brings a test database to the schema just before one migration, so a test can store rows the
// way they were stored then and watch that migration carry them across.

import type pg from 'pg';
import { loadMigrations, migratePool } from '../../src/db/migrate.ts';

export async function migrateBefore(pool: pg.Pool, version: string): Promise<void> {
  await migratePool(
    pool,
    (await loadMigrations()).filter((m) => m.version < version),
  );
}
