// The dashboard as a service of `vigil up`: a production Next.js build (made on first start, and
// again when its sources change), run as its own process with the database URL and JWT secret.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { info } from './output.ts';

const dashboardDir = path.dirname(createRequire(import.meta.url).resolve('@vigil/dashboard/package.json'));
const nextBin = path.join(
  path.dirname(createRequire(path.join(dashboardDir, 'package.json')).resolve('next/package.json')),
  'dist/bin/next',
);

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.next' || entry.name === 'test') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The sources a dashboard build is made of: its own, and the parts it imports. */
const BUILD_SOURCES = [dashboardDir, path.join(dashboardDir, '../core/src'), path.join(dashboardDir, '../alerts/src')];

/** Whether .next holds a build newer than every source file it was made from. */
function buildIsCurrent(): boolean {
  try {
    const built = statSync(path.join(dashboardDir, '.next/BUILD_ID')).mtimeMs;
    return BUILD_SOURCES.every((dir) => built >= newestSource(dir));
  } catch {
    return false;
  }
}

function run(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed with exit code ${code}`))));
  });
}

export async function buildDashboard(log = info): Promise<void> {
  if (buildIsCurrent()) return;
  log('dashboard: building (first start, or its sources changed; about half a minute)…');
  const child = spawn(process.execPath, [nextBin, 'build'], {
    cwd: dashboardDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  await run(child, 'dashboard build');
  log(`dashboard: built (${readFileSync(path.join(dashboardDir, '.next/BUILD_ID'), 'utf8').trim()})`);
}

export async function startDashboard(options: {
  databaseUrl: string;
  jwtSecret: string;
  apiUrl: string;
  host: string;
  port: number;
  /** The alerting config file in effect, for the API the dashboard mounts. */
  configFile?: string | undefined;
}): Promise<RunningDashboard> {
  await buildDashboard();
  const child = spawn(process.execPath, [nextBin, 'start', '-H', options.host, '-p', String(options.port)], {
    cwd: dashboardDir,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      VIGIL_JWT_SECRET: options.jwtSecret,
      VIGIL_API_URL: options.apiUrl,
      ...(options.configFile ? { VIGIL_CONFIG: options.configFile } : {}),
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${output}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`dashboard exited with code ${code}: ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready in|started server/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stdout!.resume();
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
