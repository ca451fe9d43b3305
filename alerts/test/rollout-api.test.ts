// Stepped rollouts through the API: a start enters the first step (its promote hooks, once, even
// when the pipeline retries), "which deployment serves tenant X" answers by the cohort and stays
// the same for a tenant, a promote by hand goes to 100%, and bad input says what is wrong.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp, createProject, signToken } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { alertsApiRoutes } from '../src/api/index.ts';
import { parseAlertsConfig } from '../src/config/load.ts';
import { servesCanary } from '../src/rollout/cohort.ts';
import { type HookReceivers, startHookReceivers } from './support/hook-receivers.ts';

const JWT = 'a-jwt-secret-for-tests-only-32-chars-long';
let db: TestDatabase;
let hooks: HookReceivers;
let app: ReturnType<typeof createApiApp>;
let token: string;
let tenantToken: string;

beforeAll(async () => {
  db = await createTestDatabase();
  hooks = await startHookReceivers('hook-secret', 'gh-token');
  const projectId = (await createProject(db.pool, 'shop')).id;
  const config = parseAlertsConfig({
    promoteHooks: [{ type: 'webhook', name: 'router', url: `${hooks.url}/promote`, secretEnv: 'HOOK_SECRET' }],
  });
  app = createApiApp({
    jwtSecret: JWT,
    routes: alertsApiRoutes({ pool: db.pool, config: () => config, env: { HOOK_SECRET: 'hook-secret' } }),
  });
  token = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, JWT);
  tenantToken = await signToken({ role: 'authenticated', projectId, tenantId: 'acme', ttlSeconds: 600 }, JWT);
});

afterAll(async () => {
  await hooks.close();
  await db.drop();
});

async function call(path: string, body?: unknown, bearer = token) {
  const response = await app.fetch(
    new Request(`http://vigil.test/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const tenants = Array.from({ length: 400 }, (_, i) => `org-${i}`);

describe('rollouts through the API', () => {
  it('start with the first step entered and its promote hook called once, however often the pipeline retries', async () => {
    const start = {
      deployment: 'v43',
      baseline: 'v42',
      rollout: { steps: [10, 50], minStepTime: '15m', cohort: 'tenants', tenants: ['internal'] },
    };
    const first = await call('/deployments', start);
    expect(first.status).toBe(201);
    expect(first.body.step).toMatchObject({ entered: true, step: 0, weight: 10, final: false, status: 'succeeded' });
    const again = await call('/deployments', start);
    expect(again.status).toBe(201);
    expect(again.body.step).toEqual({ entered: false, reason: 'already_entered' });
    expect(hooks.promote.map((h) => [h.body.deployment, h.body.step, h.body.weight])).toEqual([['v43', 0, 10]]);

    const list = await call('/deployments/list', {});
    expect(list.body.data[0]).toMatchObject({
      name: 'v43',
      weight: 10,
      rollout: { steps: [10, 50, 100], step: 0, cohort: 'tenants', tenants: ['internal'] },
    });
    const rollout = list.body.data[0].rollout;
    expect(Date.parse(rollout.nextStepNotBefore) - Date.parse(rollout.stepStartedAt)).toBe(15 * 60_000);
    expect(rollout.entered).toMatchObject([{ step: 0, weight: 10, trigger: 'start', status: 'succeeded' }]);
  });

  it('say which deployment serves a tenant, by the cohort, the same way every time', async () => {
    const answers = new Map<string, string>();
    for (const tenant of tenants) {
      const { status, body } = await call(`/deployments/serving?tenant=${tenant}`);
      expect(status).toBe(200);
      const expected = servesCanary({ deployment: 'v43', weight: 10, tenants: ['internal'] }, tenant) ? 'v43' : 'v42';
      expect(body).toMatchObject({ tenant, deployment: expected, canary: expected === 'v43', ttlSeconds: 30 });
      answers.set(tenant, body.deployment);
    }
    const inCanary = [...answers.values()].filter((d) => d === 'v43').length;
    expect(inCanary).toBeGreaterThan(15);
    expect(inCanary).toBeLessThan(70);
    for (const tenant of tenants.slice(0, 50))
      expect((await call(`/deployments/serving?tenant=${tenant}`)).body.deployment).toBe(answers.get(tenant));
    expect((await call('/deployments/serving?tenant=internal')).body).toMatchObject({
      deployment: 'v43',
      canary: true,
    });
  });

  it('refuse a tenant-scoped token and a missing tenant with a message', async () => {
    expect((await call('/deployments/serving?tenant=acme', undefined, tenantToken)).status).toBe(403);
    const missing = await call('/deployments/serving');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/tenant/);
    const bad = await call('/deployments', { deployment: 'v44', rollout: { steps: [50, 10] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/steps must ascend/);
    const both = await call('/deployments', { deployment: 'v44', weight: 5, rollout: { steps: [5] } });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/leave weight out/);
  });

  it('promote a rollout by hand to 100% at once: its hook once, then everyone is served the new deployment', async () => {
    const promoted = await call('/deployments/v43/promote', { reason: 'looks good' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.step).toMatchObject({ entered: true, step: 2, weight: 100, final: true });
    expect((await call('/deployments/v43/promote', {})).status).toBe(409);
    expect(hooks.promote.map((h) => [h.body.step, h.body.weight, h.body.final])).toEqual([
      [0, 10, false],
      [2, 100, true],
    ]);
    expect((await call(`/deployments/serving?tenant=${tenants[0]}`)).body).toMatchObject({
      deployment: 'v43',
      canary: false,
      rollout: null,
    });
  });
});
