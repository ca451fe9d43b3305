// Opening what a command needs, once: validated config and the database.

import { hostname, userInfo } from 'node:os';
import {
  type CreatedIngestKey,
  type Database,
  keyAuditRecord,
  loadConfig,
  openDatabase,
  recordAudit,
  type VigilConfig,
} from '@vigil/core';

export function config(): VigilConfig {
  return loadConfig();
}

/** Runs `work` with an open, migrated database and always closes it (stopping an embedded server we started). */
export async function withDatabase<T>(work: (db: Database, config: VigilConfig) => Promise<T>): Promise<T> {
  const cfg = config();
  const db = await openDatabase(cfg, { poolSize: 4, applicationName: 'vigil-cli' });
  try {
    return await work(db, cfg);
  } finally {
    await db.close();
  }
}

/** Who a change made from this command line is recorded as in the audit log. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {}
  return `cli:${user}@${hostname()}`;
}

/** The audit log's "who" and "from where" for changes made by this command. */
export function cliAudit(): { actor: string; origin: string } {
  return { actor: cliActor(), origin: 'cli' };
}

/** Records a key this command created (`keys create`, `vigil up`'s first key, the demo's key). */
export function recordKeyCreated(db: Database, created: CreatedIngestKey): Promise<void> {
  return recordAudit(db.pool, {
    ...cliAudit(),
    projectId: created.info.projectId,
    action: 'key.created',
    target: created.info.id,
    after: keyAuditRecord(created.info),
  });
}
