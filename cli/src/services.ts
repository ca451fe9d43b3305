// Long-running commands: start services, print where they are, and shut down cleanly on
// SIGINT/SIGTERM (queued spans are committed first, then the embedded database stops).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AlertEngine, ConfigSource, createVigilApi } from '@vigil/alerts';
import { type RunningCollector, startCollector } from '@vigil/collector';
import {
  createIngestKey,
  createProject,
  type Database,
  findProject,
  listProjects,
  openDatabase,
  type RunningServer,
  resolveJwtSecret,
  serveApp,
  type VigilConfig,
} from '@vigil/core';
import { type SupervisedCollector, superviseCollector } from './collector-supervisor.ts';
import { recordKeyCreated } from './context.ts';
import { info } from './output.ts';

/**
 * Opens the database and says which. `announce: false` for the collector that `vigil up` forks:
 * the parent has said it, and the child's own line ("the server at DATABASE_URL", the parent's
 * embedded server reached through its URL) read as if a second database were in use.
 */
export async function openServiceDatabase(config: VigilConfig, { announce = true } = {}): Promise<Database> {
  if (announce)
    info(
      config.DATABASE_URL
        ? 'connecting to DATABASE_URL…'
        : `starting embedded Postgres (data in ${config.dataDir}/pg)…`,
    );
  const db = await openDatabase(config, { poolSize: 12, applicationName: 'vigil' });
  if (announce) info(`database: ${db.description}`);
  return db;
}

/** On first start: the `default` project and a key, saved where the user can find it. */
export async function ensureDefaultProject(db: Database, config: VigilConfig): Promise<void> {
  const keyFile = path.join(config.dataDir, 'default-ingest-key');
  if (await findProject(db.pool, 'default')) {
    const names = (await listProjects(db.pool)).map((p) => p.name);
    info(
      `projects: ${names.join(', ')} (keys: "vigil keys list"; the first key of "default" is in ${keyFile} if Vigil created it)`,
    );
    return;
  }
  await createProject(db.pool, 'default');
  const created = await createIngestKey(db.pool, 'default', 'created by vigil up');
  await recordKeyCreated(db, created);
  // With DATABASE_URL nothing else has created the data directory yet.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, created.key + '\n', { mode: 0o600 });
  info(`created project "default" and ingest key ${created.info.prefix}… (saved to ${keyFile}, readable only by you)`);
}

export async function startCollectorService(db: Database, config: VigilConfig): Promise<RunningCollector> {
  const collector = await startCollector(config, db.pool, (message) => info(`[collector] ${message}`));
  announceCollector(collector);
  return collector;
}

/** The collector in a supervised child process (see collector-supervisor.ts). */
export async function startSupervisedCollectorService(db: Database, config: VigilConfig): Promise<SupervisedCollector> {
  const collector = await superviseCollector({
    databaseUrl: db.url,
    maxHeapMb: config.VIGIL_COLLECTOR_MAX_HEAP_MB,
    log: (message) => info(`[supervisor] ${message}`),
  });
  info(
    `collector: in its own process (pid ${collector.pid}, heap limit ${config.VIGIL_COLLECTOR_MAX_HEAP_MB} MiB), restarted if it dies`,
  );
  return collector;
}

function announceCollector({ url, healthUrl, grpcAddress }: RunningCollector): void {
  info(
    `collector: OTLP/HTTP on ${url}/v1/{traces,logs,metrics} (protobuf or JSON, gzip ok), OTLP/gRPC on ${grpcAddress}; health ${healthUrl}/healthz (its own thread; also ${url}/healthz), metrics ${url}/metrics`,
  );
}

/** Resolves when the process that forked this one is gone (its IPC channel closed). */
export function parentGone(): Promise<string> {
  return new Promise((resolve) => {
    if (!process.send) return;
    process.once('disconnect', () => resolve('parent process gone'));
  });
}

export interface AlertsService {
  source: ConfigSource;
  engine: AlertEngine | null;
  close(): Promise<void>;
}

/** The alerting config (checked now: a bad file stops start-up with its message) and the engine. */
export async function startAlertsService(
  db: Database,
  config: VigilConfig,
  options: { engine: boolean } = { engine: true },
): Promise<AlertsService> {
  const log = (message: string) => info(`[alerts] ${message}`);
  const source = new ConfigSource(db.pool, config.VIGIL_CONFIG, log);
  const { config: alerts, source: from } = await source.load();
  const run = options.engine && config.VIGIL_ALERTS === 'on';
  info(
    `alerts: ${alerts.slos.length} SLOs, ${alerts.rules.length} rules, ${alerts.budgets.length} budgets from ${from}; engine ${run ? `every tick of "${alerts.engine.schedule}"` : 'off here'}`,
  );
  if (!run) return { source, engine: null, close: async () => {} };
  const engine = new AlertEngine({ pool: db.pool, config: source.current, log });
  await engine.start();
  return { source, engine, close: () => engine.stop() };
}

/** The HTTP API (/api/v1/...): core's reads and the alerts part's deployments, gates and silences. */
export async function startApiService(
  db: Database,
  config: VigilConfig,
  alerts: AlertsService,
): Promise<RunningServer> {
  const { secret, source } = await resolveJwtSecret(config);
  const app = createVigilApi({
    pool: db.pool,
    config: alerts.source.current,
    jwtSecret: secret,
    ...(config.VIGIL_JWKS_URL ? { jwksUrl: config.VIGIL_JWKS_URL } : {}),
    log: (message) => info(`[api] ${message}`),
  });
  const server = await serveApp(app, config.VIGIL_API_HOST, config.VIGIL_API_PORT);
  info(
    `query API: ${server.url}/api/v1/... (tokens: "vigil tokens create --project <name>"; signing secret from ${source === 'VIGIL_JWT_SECRET' ? 'VIGIL_JWT_SECRET' : source})`,
  );
  info(`rollout gates: ${server.url}/api/v1/gate/argo?deployment=<name>, ${server.url}/api/v1/gate/flagger`);
  info(`API reference: ${server.url}/api/v1/docs (OpenAPI 3.1: ${server.url}/api/v1/openapi.json)`);
  return server;
}

/**
 * Resolves with the signal's name on the first SIGINT or SIGTERM. Registered before services start,
 * so a signal during start-up still ends in a clean stop instead of the default (killed) exit.
 */
export function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    let received = false;
    // Stays installed: a second Ctrl-C must not kill the process before queued spans are committed.
    const onSignal = (signal: string) => {
      if (received) return info(`${signal}: already stopping (queued spans are being committed)`);
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function stopOnSignal(signal: Promise<string>, stop: () => Promise<void>): Promise<void> {
  const name = await signal;
  info(`${name}: committing queued spans and stopping…`);
  try {
    await stop();
    info('stopped cleanly');
  } catch (error) {
    info(`stopped with an error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
