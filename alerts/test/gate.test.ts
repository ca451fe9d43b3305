// The rollout-gate endpoints against their contracts: Argo Rollouts' `web` metric (always JSON,
// read by successCondition), Flagger's webhook (2xx advances, non-2xx halts; as a rollback hook 2xx
// means roll back), deployments recorded and rolled back by API, and tokens checked on every call.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp, createProject, readAudit, SERVICE_CALLER, signToken } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { parseAlertsConfig } from '../src/config/load.ts';
import { alertsApiRoutes } from '../src/api/index.ts';
import { type HookReceivers, startHookReceivers } from './support/hook-receivers.ts';
import { loadTraffic } from './support/traffic.ts';

const SECRET = 'a-jwt-secret-for-tests-only-32-chars-long';
let db: TestDatabase;
let hooks: HookReceivers;
let gate: (request: Request) => Promise<Response>;
let token: string;
let projectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  hooks = await startHookReceivers('hook-secret', 'gh-token');
  projectId = (await createProject(db.pool, 'shop')).id;
  await createProject(db.pool, 'other');
  const config = parseAlertsConfig({
    slos: [
      { name: 'chat-errors', project: 'shop', objective: 99.9, sli: { kind: 'errors' } },
      { name: 'elsewhere', project: 'other', objective: 99, sli: { kind: 'errors' } },
    ],
    rollbackHooks: [{ type: 'webhook', name: 'deployer', url: `${hooks.url}/rollback`, secretEnv: 'HOOK_SECRET' }],
    slack: [{ webhookUrlEnv: 'SLACK_ONCALL' }, { project: 'other', webhookUrlEnv: 'SLACK_OTHER' }],
    webhooks: [{ name: 'pager', urlEnv: 'PAGER_URL', severities: ['page'], sendResolved: false }],
  });
  const app = createApiApp({
    jwtSecret: SECRET,
    routes: alertsApiRoutes({ pool: db.pool, config: () => config, env: { HOOK_SECRET: 'hook-secret' } }),
  });
  gate = (request) => Promise.resolve(app.fetch(request));
  token = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, SECRET);
  const now = Date.now();
  // Baseline v41 healthy; canary v42 5× slower with 20% errors; canary v43 like the baseline.
  await loadTraffic(db.pool, {
    projectId,
    fromMs: now - 100_000,
    toMs: now - 1000,
    count: 400,
    deployment: 'v41',
    seed: 1,
  });
  await loadTraffic(db.pool, {
    projectId,
    fromMs: now - 100_000,
    toMs: now - 1000,
    count: 200,
    deployment: 'v42',
    latencyMs: 2000,
    ttftMs: 750,
    errorRate: 0.2,
    seed: 2,
  });
  await loadTraffic(db.pool, {
    projectId,
    fromMs: now - 100_000,
    toMs: now - 1000,
    count: 200,
    deployment: 'v43',
    seed: 3,
  });
});

afterAll(async () => {
  await hooks.close();
  await db.drop();
});

function call(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const bearer = init.token === undefined ? token : init.token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  return gate(
    new Request(`http://vigil.test${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    }),
  );
}

describe('rollout gates', () => {
  it('records deployments with their baseline', async () => {
    for (const deployment of ['v42', 'v43']) {
      const response = await call('/api/v1/deployments', {
        method: 'POST',
        body: { deployment, baseline: 'v41', weight: 10 },
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({
        deployment: { name: deployment, baseline: 'v41', state: 'running' },
      });
    }
    const bad = await call('/api/v1/deployments', { method: 'POST', body: { deployment: 'v 44', weight: 500 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^deployment: a deployment name/,
    );
  });

  it('answers Argo Rollouts with JSON its successCondition can read', async () => {
    const failing = await call('/api/v1/gate/argo?deployment=v42');
    expect(failing.status).toBe(200);
    expect(failing.headers.get('content-type')).toBe('application/json');
    const body = (await failing.json()) as { metrics: Record<string, { classification: string; samples: unknown }> };
    expect(body).toMatchObject({ verdict: 'fail', ok: false, deployment: 'v42', baseline: 'v41' });
    expect(body.metrics.latency!.classification).toBe('high');
    // Every canary call, against the baseline's since the canary's first call (the same time).
    const { rows } = await db.pool.query(
      `select count(*)::int as n from spans where project_id = $1 and deployment = 'v41'
          and start_time >= (select min(start_time) from spans where project_id = $1 and deployment = 'v42')`,
      [projectId],
    );
    expect(body.metrics.errors!.samples).toEqual({ canary: 200, baseline: rows[0].n });
    expect(rows[0].n).toBeGreaterThan(380);

    expect(await (await call('/api/v1/gate/argo?deployment=v43')).json()).toMatchObject({ verdict: 'pass', ok: true });
    // Unknown deployment or missing parameter: still JSON, an error verdict (Argo counts an Error).
    expect(await (await call('/api/v1/gate/argo?deployment=v99')).json()).toMatchObject({
      verdict: 'error',
      ok: false,
    });
    expect(await (await call('/api/v1/gate/argo')).json()).toMatchObject({ verdict: 'error' });
  });

  it('answers Flagger: 200 advances a good canary, non-2xx halts a bad one; as a rollback hook, 200 rolls back', async () => {
    const payload = (deployment: string) => ({
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: '6d9f7c',
      metadata: { deployment },
    });
    expect((await call('/api/v1/gate/flagger', { method: 'POST', body: payload('v43') })).status).toBe(200);
    expect((await call('/api/v1/gate/flagger', { method: 'POST', body: payload('v42') })).status).toBe(409);
    expect((await call('/api/v1/gate/flagger?hook=rollback', { method: 'POST', body: payload('v42') })).status).toBe(
      200,
    );
    expect((await call('/api/v1/gate/flagger?hook=rollback', { method: 'POST', body: payload('v43') })).status).toBe(
      409,
    );
    expect((await call('/api/v1/gate/flagger', { method: 'POST', body: { namespace: 'x' } })).status).toBe(400);
  });

  it('keeps a history of judgements on the deployment', async () => {
    const { rows } = await db.pool.query(
      `select d.verdict, count(j.*)::int as judgements from deployments d join canary_judgements j on j.deployment_id = d.id where d.name = 'v42' group by 1`,
    );
    expect(rows).toEqual([{ verdict: 'fail', judgements: 3 }]);
  });

  it('rolls back by API once, through the hooks, and reports the second call as a conflict', async () => {
    const first = await call('/api/v1/deployments/v42/rollback', { method: 'POST', body: { reason: 'p95 doubled' } });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      rollback: { status: 'succeeded', hooks: [{ hook: 'deployer', ok: true, attempts: 1 }] },
    });
    expect(hooks.webhook.at(-1)!.body).toMatchObject({ deployment: 'v42', trigger: 'manual', reason: 'p95 doubled' });
    const second = await call('/api/v1/deployments/v42/rollback', { method: 'POST', body: {} });
    expect(second.status).toBe(409);
    // The gate now says fail for a rolled-back deployment, whatever its traffic.
    expect(await (await call('/api/v1/gate/argo?deployment=v42')).json()).toMatchObject({
      verdict: 'fail',
      reason: 'this deployment was rolled back',
    });
    expect((await call('/api/v1/deployments/v43/promote', { method: 'POST', body: {} })).status).toBe(200);
  });

  it('refuses missing, forged, expired and tenant-scoped tokens, and other projects', async () => {
    expect((await call('/api/v1/gate/argo?deployment=v43', { token: null })).status).toBe(401);
    const forged = await signToken(
      { role: 'authenticated', projectId, ttlSeconds: 600 },
      'another-secret-that-is-32-characters-x',
    );
    expect((await call('/api/v1/gate/argo?deployment=v43', { token: forged })).status).toBe(401);
    const expired = await signToken({ role: 'authenticated', projectId, ttlSeconds: -10 }, SECRET);
    const expiredResponse = await call('/api/v1/gate/argo?deployment=v43', { token: expired });
    expect(expiredResponse.status).toBe(401);
    expect(await expiredResponse.json()).toMatchObject({ error: { code: 'unauthorized', message: 'token expired' } });
    const viewer = await signToken({ role: 'authenticated', projectId, tenantId: 'tenant-1', ttlSeconds: 600 }, SECRET);
    expect((await call('/api/v1/deployments/v43/rollback', { method: 'POST', body: {}, token: viewer })).status).toBe(
      403,
    );
    expect((await call('/api/v1/gate/argo?deployment=v43&project=other')).status).toBe(403);
  });

  it('shows the project its own SLO definitions, and creates and expires silences', async () => {
    const config = (await (await call('/api/v1/alerts/config')).json()) as {
      slos: { name: string }[];
      routes: unknown[];
    };
    expect(config.slos.map((slo) => slo.name)).toEqual(['chat-errors']);
    // Where alerts go, by the names of the variables that hold the URLs: the URLs are secrets.
    expect(config.routes).toEqual([
      { channel: 'slack', name: 'slack', urlEnv: 'SLACK_ONCALL', severities: ['page', 'ticket'], sendResolved: true },
      { channel: 'webhook', name: 'pager', urlEnv: 'PAGER_URL', severities: ['page'], sendResolved: false },
    ]);
    const created = await call('/api/v1/silences', {
      method: 'POST',
      body: { matchers: { slo: 'chat-errors' }, minutes: 120, comment: 'deploy window' },
    });
    expect(created.status).toBe(201);
    const { silence } = (await created.json()) as { silence: { id: string; starts_at: string; ends_at: string } };
    expect(Date.parse(silence.ends_at) - Date.parse(silence.starts_at)).toBe(120 * 60_000);
    const viewer = await signToken({ role: 'authenticated', projectId, tenantId: 'tenant-1', ttlSeconds: 600 }, SECRET);
    expect(
      (await call(`/api/v1/silences/${silence.id}/expire`, { method: 'POST', body: {}, token: viewer })).status,
    ).toBe(403);
    expect((await call(`/api/v1/silences/${silence.id}/expire`, { method: 'POST', body: {} })).status).toBe(200);
    expect((await call(`/api/v1/silences/${silence.id}/expire`, { method: 'POST', body: {} })).status).toBe(404);
    // The audit log has the silence's creation and its end, nothing for the refused or repeated tries.
    const trail = await readAudit(db.pool, SERVICE_CALLER, {
      projectId,
      actions: ['silence.created', 'silence.expired'],
    });
    expect(trail.map((e) => [e.action, e.target, e.actor, e.origin])).toEqual([
      ['silence.expired', String(silence.id), 'token:member', 'api'],
      ['silence.created', String(silence.id), 'token:member', 'api'],
    ]);
    const bad = await call('/api/v1/silences', { method: 'POST', body: { matchers: {}, minutes: 10 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'matchers: give at least one label',
    );
  });
});
