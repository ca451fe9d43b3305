// The collector in its own process, supervised. `vigil up` keeps the query API, the gates and the
// alert engine in the parent and runs ingest in a child (`vigil collector`), so a request that
// exhausts the collector's heap, or a crash in it, cannot take the watchdog down with it: the
// child dies alone, the cause is logged, and it is started again within seconds. The child learns
// how often it was restarted from VIGIL_COLLECTOR_RESTARTS and shows it in its /metrics.

import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface SupervisorOptions {
  /** The database the child connects to (the embedded server's URL, or DATABASE_URL). */
  databaseUrl: string;
  /** The collector's heap limit: past it the child dies and is restarted, nothing else. */
  maxHeapMb: number;
  log(message: string): void;
  /** Extra environment for the child (tests). */
  env?: Record<string, string>;
}

export interface SupervisedCollector {
  /** Where the collector listens (known once the first child is ready). */
  url: string;
  /** Times the child was started again after it died. */
  readonly restarts: number;
  /** The current child's pid (for tests and operators). */
  readonly pid: number | undefined;
  /** Resolves when a child (a new one after a restart) is ready. */
  ready(): Promise<void>;
  /** Stops the child cleanly (it commits what it queued) and does not restart it. */
  close(): Promise<void>;
}

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.mjs');
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5000;
/** A child that ran this long before dying starts the backoff over. */
const STABLE_AFTER_MS = 30_000;
const STOP_GRACE_MS = 30_000;
const STDERR_LINES_KEPT = 20;

interface ReadyMessage {
  type: 'ready';
  url: string;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as ReadyMessage).type === 'ready';
}

export async function superviseCollector(options: SupervisorOptions): Promise<SupervisedCollector> {
  let child: ChildProcess | null = null;
  let restarts = 0;
  let stopping = false;
  let backoffMs = FIRST_BACKOFF_MS;
  let url = '';
  let readyWaiters: (() => void)[] = [];
  let isUp = false;

  function start(): void {
    const startedAt = Date.now();
    const recentStderr: string[] = [];
    isUp = false;
    const current = fork(BIN, ['collector'], {
      execArgv: [`--max-old-space-size=${options.maxHeapMb}`],
      env: {
        ...process.env,
        ...options.env,
        DATABASE_URL: options.databaseUrl,
        VIGIL_COLLECTOR_RESTARTS: String(restarts),
      },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C in the terminal reaches the parent, which stops it in order.
      detached: true,
    });
    child = current;
    current.stderr!.setEncoding('utf8');
    current.stderr!.on('data', (text: string) => {
      process.stderr.write(text);
      for (const line of text.split('\n')) if (line.trim() !== '') recentStderr.push(line);
      recentStderr.splice(0, Math.max(0, recentStderr.length - STDERR_LINES_KEPT));
    });
    current.on('message', (message) => {
      if (!isReady(message)) return;
      url = message.url;
      isUp = true;
      for (const resolve of readyWaiters.splice(0)) resolve();
    });
    current.on('exit', (code, signal) => {
      if (child === current) child = null;
      if (stopping) return;
      const ranMs = Date.now() - startedAt;
      if (ranMs > STABLE_AFTER_MS) backoffMs = FIRST_BACKOFF_MS;
      const cause = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const last = recentStderr.slice(-5).join(' | ');
      options.log(
        `collector process ${current.pid} ${cause} after ${(ranMs / 1000).toFixed(1)} s${last ? ` (last output: ${last})` : ''}; restarting in ${backoffMs} ms`,
      );
      setTimeout(() => {
        if (stopping) return;
        restarts++;
        start();
      }, backoffMs).unref();
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    });
  }

  function ready(): Promise<void> {
    if (isUp) return Promise.resolve();
    return new Promise((resolve) => readyWaiters.push(resolve));
  }

  start();
  await new Promise<void>((resolve, reject) => {
    // The first start must work: a bad configuration or an unreachable database stops `vigil up`.
    const first = child!;
    const onExit = (code: number | null) => reject(new Error(`the collector process exited on start (code ${code})`));
    first.once('exit', onExit);
    ready().then(() => {
      first.off('exit', onExit);
      resolve();
    });
  }).catch((error: unknown) => {
    stopping = true;
    readyWaiters = [];
    throw error;
  });

  return {
    get url() {
      return url;
    },
    get restarts() {
      return restarts;
    },
    get pid() {
      return child?.pid;
    },
    ready,
    close: async () => {
      stopping = true;
      const current = child;
      if (!current || current.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => current.kill('SIGKILL'), STOP_GRACE_MS);
        current.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        current.kill('SIGTERM');
      });
    },
  };
}
