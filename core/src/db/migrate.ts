// Applies the Supabase CLI migrations in supabase/migrations in order, once each. Applied versions
// are recorded in supabase_migrations.schema_migrations, the same table the Supabase CLI uses, so
// `vigil migrate` and `supabase db push` agree on what has been applied.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export function migrationsDirectory(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.resolve('@vigil/supabase/package.json'))), 'migrations');
}

export async function loadMigrations(dir = migrationsDirectory()): Promise<Migration[]> {
  const files = (await readdir(/*turbopackIgnore: true*/ dir))
    .filter((file) => /^\d{14}_[a-z0-9_]+\.sql$/.test(file))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_');
      return { version, name: rest.join('_'), sql: await readFile(path.join(dir, file), 'utf8') };
    }),
  );
}

const MIGRATION_LOCK = 7_214_001;

/** Applies pending migrations; returns the versions applied now. Safe to run concurrently and twice. */
export async function migrate(client: pg.ClientBase, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
      alter table supabase_migrations.schema_migrations
        add column if not exists statements text[],
        add column if not exists name text;
    `);
    const { rows } = await client.query<{ version: string }>(
      'select version from supabase_migrations.schema_migrations',
    );
    const applied = new Set(rows.map((row) => row.version));
    const done: string[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [migration.version, migration.name, [migration.sql]],
        );
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      done.push(migration.version);
    }
    return done;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}

/** Applies pending migrations on a connection of the pool (see migrate). */
export async function migratePool(pool: pg.Pool, migrations?: Migration[]): Promise<string[]> {
  const client = await pool.connect();
  try {
    return await migrate(client, migrations);
  } finally {
    client.release();
  }
}
