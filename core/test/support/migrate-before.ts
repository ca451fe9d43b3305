// Brings a test database to the schema just before one migration, so a test can store rows the
// way they were stored then and watch that migration carry them across.

import type pg from 'pg';
import { loadMigrations, migrate } from '../../src/db/migrate.ts';

export async function migrateBefore(pool: pg.Pool, version: string): Promise<void> {
  const migrations = await loadMigrations();
  const client = await pool.connect();
  try {
    await migrate(
      client,
      migrations.filter((m) => m.version < version),
    );
  } finally {
    client.release();
  }
}
