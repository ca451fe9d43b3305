// `vigil up --demo`: the example AI app in two deployments (v1 and a v2 canary) against local fake
// model providers, and steady traffic from several tenants, all reporting to this Vigil under the
// project `demo`. With --incident, the canary moves to a slower, pricier model.

import { type ChildProcess, spawn } from 'node:child_process';
import type { Pool } from 'pg';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createIngestKey, createProject, type Database, findProject, type VigilConfig } from '@vigil/core';
import { recordKeyCreated } from './context.ts';
import { HISTORY_DAYS, sendDemoHistory } from './demo-history.ts';
import { replayPastIncident } from './demo-incident.ts';
import { DEMO_SLACK_ENV, type SlackStandIn, startSlackStandIn } from './demo-slack.ts';
import { APP_ENTRY, startLoad } from '@vigil/example-ai-app';
import { startFakeProviders } from '@vigil/fake-providers';
import { info } from './output.ts';

export interface RunningDemo {
  close(): Promise<void>;
}

const APP_SCHEMA = 'demo_app';

/** The demo project's ingest key: created once, kept in the data directory. */
async function demoKey(db: Database, config: VigilConfig): Promise<string> {
  const keyFile = path.join(config.dataDir, 'demo-ingest-key');
  if (!(await findProject(db.pool, 'demo'))) await createProject(db.pool, 'demo');
  // A fresh key each start: the old one may have been revoked, and keys are only stored hashed.
  const created = await createIngestKey(db.pool, 'demo', 'demo traffic');
  const key = created.key;
  await recordKeyCreated(db, created);
  await writeFile(keyFile, key + '\n', { mode: 0o600 });
  return key;
}

/**
 * What the demo project is held to, so its dashboard has SLO tiles, burn sparklines and budgets
 * from the first minute. Written as the project's overrides once: edits made since are kept.
 */
const DEMO_ALERTS = {
  slos: [
    {
      name: 'chat-ttft',
      description: 'Streams start within a second',
      objective: 95,
      selector: {},
      sli: { kind: 'ttft', thresholdMs: 1000 },
    },
    { name: 'chat-errors', description: 'Model calls succeed', objective: 95, selector: {}, sli: { kind: 'errors' } },
    {
      name: 'chat-cost',
      description: 'A model call costs at most $0.002',
      objective: 95,
      selector: {},
      sli: { kind: 'cost_per_request', maxUsd: 0.002 },
    },
  ],
  // The playbook's budgets: the answer route, and each kind of call inside it.
  timeBudgets: {
    objective: 95,
    surfaces: { '/api/answer': '4s' },
    dependencies: { db: '300ms', cache: '200ms', model: '3s' },
  },
  budgets: [
    { name: 'demo-monthly', monthlyUsd: 100 },
    { name: 'tenant-0-monthly', tenant: 'tenant-0', monthlyUsd: 40 },
    { name: 'tenant-1-monthly', tenant: 'tenant-1', monthlyUsd: 20 },
  ],
  // Pages and tickets go to the demo's Slack stand-in (demo-slack.ts), its URL in this variable.
  slack: [{ webhookUrlEnv: DEMO_SLACK_ENV, severities: ['page', 'ticket'] }],
};

export async function demoAlerts(pool: Pool): Promise<void> {
  await pool.query(
    `insert into alert_configs (project_id, config) select id, $1 from projects where name = 'demo' on conflict (project_id) do nothing`,
    [JSON.stringify(DEMO_ALERTS)],
  );
}

/**
 * On the demo's first start, its past week through the collector (demo-history.ts): every page has
 * history at first open. Later starts keep what they have.
 */
async function demoHistory(db: Database, collectorUrl: string, key: string, slack: SlackStandIn): Promise<void> {
  const { rows } = await db.pool.query(
    `select 1 from spans s join projects p on p.id = s.project_id
      where p.name = 'demo' and s.start_time < now() - interval '1 day' limit 1`,
  );
  if (rows.length > 0) return;
  const started = performance.now();
  const now = Date.now();
  const spans = await sendDemoHistory(collectorUrl, key, now, now);
  info(
    `demo: sent the past ${HISTORY_DAYS} days through the collector (${spans} spans, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  const replayed = await replayPastIncident(db.pool, now, slack, (message) => info(`[demo history] ${message}`));
  info(
    `demo: day five's canary ${replayed.deployment}: verdict ${replayed.verdict ?? 'none'}, ${replayed.rolledBackAt ? `rolled back at ${replayed.rolledBackAt.toISOString()}` : 'not rolled back'}, ${replayed.slackMessages} Slack messages (to the demo's stand-in)`,
  );
}

/** The app's tables live in their own schema of the same database, out of Vigil's way. */
function appDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${APP_SCHEMA}`);
  return url.toString();
}

function startApp(deployment: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', APP_ENTRY.instrumentation, APP_ENTRY.main], {
      env: { ...process.env, ...env, VIGIL_DEPLOYMENT: deployment, APP_PORT: '0', OTEL_SERVICE_NAME: 'ai-app' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) =>
      reject(new Error(`example app (${deployment}) exited with code ${code} before listening`)),
    );
  });
}

/**
 * The demo's project, key, SLOs and budgets, and on first start its past week (with day five's
 * incident, replayed by the alert engine): before Vigil's own engine starts, so the two never tick
 * over each other.
 */
export async function prepareDemo(
  db: Database,
  config: VigilConfig,
  collectorUrl: string,
): Promise<{ key: string; slack: SlackStandIn }> {
  const key = await demoKey(db, config);
  await demoAlerts(db.pool);
  // The engine reads a route's URL from the environment when it sends: this process's.
  const slack = await startSlackStandIn();
  process.env[DEMO_SLACK_ENV] = slack.url;
  info(`demo: a stand-in for Slack at ${slack.url} takes the demo's pages and tickets (on the Alerts page)`);
  await demoHistory(db, collectorUrl, key, slack);
  return { key, slack };
}

export async function startDemo(
  db: Database,
  collectorUrl: string,
  key: string,
  options: { incident: boolean },
): Promise<RunningDemo> {
  await db.pool.query(`create schema if not exists ${APP_SCHEMA}`);
  const providers = await startFakeProviders({
    // Prompts the size of a retrieval-augmented answer (system prompt, documents, question), part
    // of them served from the provider's prompt cache.
    default: { ttftMs: 350, interChunkMs: 12, inputTokens: 900, outputTokens: 60, errorRate: 0.02 },
    models: {
      'gpt-4o-mini': { cacheReadTokens: 256 },
      'claude-haiku-4-5': { ttftMs: 500, inputTokens: 1200, cacheReadTokens: 512, cacheWriteTokens: 64 },
      // The incident: the canary's model answers slowly and at length.
      'gpt-4o': options.incident ? { ttftMs: 2600, interChunkMs: 25, outputTokens: 400, errorRate: 0.08 } : {},
    },
  });
  const common = {
    DATABASE_URL: appDatabaseUrl(db.url),
    OPENAI_BASE_URL: providers.openaiBaseUrl,
    ANTHROPIC_BASE_URL: providers.anthropicBaseUrl,
    VIGIL_API_KEY: key,
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    VIGIL_ENVIRONMENT: 'demo',
  };
  const apps = [
    await startApp('v1', { ...common, PRIMARY_MODEL: 'gpt-4o-mini' }),
    await startApp('v2-canary', { ...common, PRIMARY_MODEL: options.incident ? 'gpt-4o' : 'gpt-4o-mini' }),
  ];
  // As a deploy pipeline would: v2-canary is a canary of v1, judged every tick by the alert engine
  // (and, with --incident, failed and rolled back). A fresh demo run deploys it afresh.
  await db.pool.query(
    `with d as (
       insert into deployments (project_id, name, baseline, weight, source)
       select id, 'v2-canary', 'v1', 10, 'api' from projects where name = 'demo'
       on conflict (project_id, name) do update set baseline = excluded.baseline, weight = excluded.weight, state = 'running', ended_at = null,
         started_at = now(), verdict = null, score = null, judged_at = null, judgement = null
       returning id)
     delete from rollbacks where deployment_id in (select id from d)`,
  );
  const statuses = new Map<number, number>();
  const load = startLoad({
    targets: [
      { url: apps[0]!.url, weight: 9 },
      { url: apps[1]!.url, weight: 1 },
    ],
    requestsPerSecond: 4,
    onResponse: (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
  });
  info(
    `demo: example app v1 ${apps[0]!.url} and v2-canary ${apps[1]!.url}, fake providers ${providers.url}; ~4 requests/s from 8 tenants into project "demo"${options.incident ? '; incident: v2-canary on a slow, costly model' : ''}`,
  );
  const report = setInterval(() => {
    info(`demo: responses so far ${[...statuses].map(([status, n]) => `${status || 'failed'}×${n}`).join(', ')}`);
  }, 60_000);
  report.unref();
  return {
    close: async () => {
      clearInterval(report);
      await load.stop();
      await Promise.all(
        apps.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      await providers.close();
    },
  };
}
