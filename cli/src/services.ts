// Long-running commands: start services, print where they are, and shut down cleanly on
// SIGINT/SIGTERM (queued spans are committed first, then the embedded database stops).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VigilConfig } from '@vigil/core/config';
import { openDatabase, type Database } from '@vigil/core/db/database';
import { createIngestKey, createProject, listProjects } from '@vigil/core/projects';
import { startCollector, type RunningCollector } from '@vigil/collector';
import { info } from './output.ts';

export async function openServiceDatabase(config: VigilConfig): Promise<Database> {
  info(config.DATABASE_URL ? 'connecting to DATABASE_URL…' : `starting embedded Postgres (data in ${config.dataDir}/pg)…`);
  const db = await openDatabase(config, { poolSize: 12, applicationName: 'vigil' });
  info(`database: ${db.description}`);
  return db;
}

/** On first start: the `default` project and a key, saved where the user can find it. */
export async function ensureDefaultProject(db: Database, config: VigilConfig): Promise<void> {
  const keyFile = path.join(config.dataDir, 'default-ingest-key');
  const projects = await listProjects(db.pool);
  if (projects.length > 0) {
    info(`projects: ${projects.map((p) => p.name).join(', ')} (keys: "vigil keys list"; the first key of "default" is in ${keyFile} if Vigil created it)`);
    return;
  }
  await createProject(db.pool, 'default');
  const created = await createIngestKey(db.pool, 'default', 'created by vigil up');
  await writeFile(keyFile, created.key + '\n', { mode: 0o600 });
  info(`created project "default" and ingest key ${created.info.prefix}… (saved to ${keyFile}, readable only by you)`);
}

export async function startCollectorService(db: Database, config: VigilConfig): Promise<RunningCollector> {
  const collector = await startCollector(config, db.pool, (message) => info(`[collector] ${message}`));
  info(`collector: OTLP/HTTP on ${collector.url}/v1/traces (protobuf or JSON, gzip ok); health ${collector.url}/healthz, metrics ${collector.url}/metrics`);
  return collector;
}

export function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      info(`${signal}: committing queued spans and stopping…`);
      stop()
        .then(() => info('stopped cleanly'))
        .catch((error: unknown) => info(`stopped with an error: ${(error as Error).message}`))
        .finally(resolve);
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}
