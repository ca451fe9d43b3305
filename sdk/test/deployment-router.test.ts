// deploymentRouter against Vigil's real API: it answers by the rollout's tenant cohort, asks once
// per tenant per TTL however many requests come at once, sees a promotion after the TTL, and
// keeps the last answer (else null) when the API is down, without failing the caller.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsApiRoutes, cohortBucket, parseAlertsConfig } from '@vigil/alerts';
import { createApiApp, createProject, type RunningServer, serveApp, signToken } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { deploymentRouter } from '../src/index.ts';

const JWT = 'a-jwt-secret-for-tests-only-32-chars-long';
let db: TestDatabase;
let api: RunningServer;
let token: string;
const requests: string[] = [];
const countingFetch: typeof fetch = (input, init) => {
  requests.push(String(input));
  return fetch(input, init);
};

beforeAll(async () => {
  db = await createTestDatabase();
  const projectId = (await createProject(db.pool, 'app')).id;
  const config = parseAlertsConfig({});
  api = await serveApp(
    createApiApp({ jwtSecret: JWT, routes: alertsApiRoutes({ pool: db.pool, config: () => config }) }),
    '127.0.0.1',
    0,
  );
  token = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, JWT);
  const started = await fetch(`${api.url}/api/v1/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ deployment: 'v9', baseline: 'v8', rollout: { steps: [20], cohort: 'tenants' } }),
  });
  expect(started.status).toBe(201);
});

afterAll(async () => {
  await api.close();
  await db.drop();
});

// Tenants on each side of the 20% line for deployment v9.
const tenants = Array.from({ length: 200 }, (_, i) => `org-${i}`);
const canaryTenant = tenants.find((t) => cohortBucket('v9', t) < 20)!;
const baselineTenant = tenants.find((t) => cohortBucket('v9', t) >= 20)!;

describe('deploymentRouter', () => {
  it('routes each tenant by its cohort, asking the API once per tenant however many ask at once', async () => {
    const router = deploymentRouter({ apiUrl: api.url, token, fetch: countingFetch });
    requests.length = 0;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => router.deploymentFor(i % 2 ? canaryTenant : baselineTenant)),
    );
    expect(new Set(answers.filter((_, i) => i % 2))).toEqual(new Set(['v9']));
    expect(new Set(answers.filter((_, i) => i % 2 === 0))).toEqual(new Set(['v8']));
    expect(requests).toHaveLength(2);
    expect(await router.deploymentFor(canaryTenant)).toBe('v9');
    expect(requests).toHaveLength(2);
  });

  it('sees a promotion once the answer is older than its TTL', async () => {
    const router = deploymentRouter({ apiUrl: api.url, token, ttlMs: 50, fetch: countingFetch });
    expect(await router.deploymentFor(baselineTenant)).toBe('v8');
    const promoted = await fetch(`${api.url}/api/v1/deployments/v9/promote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(promoted.status).toBe(200);
    expect(await router.deploymentFor(baselineTenant)).toBe('v8');
    await new Promise((r) => setTimeout(r, 60));
    expect(await router.deploymentFor(baselineTenant)).toBe('v9');
  });

  it('keeps the last answer when the API fails, and says null for a tenant it never heard of', async () => {
    let down = false;
    const flaky: typeof fetch = (input, init) =>
      down ? Promise.reject(new Error('ECONNREFUSED')) : fetch(input, init);
    const router = deploymentRouter({ apiUrl: api.url, token, ttlMs: 1, fetch: flaky });
    expect(await router.deploymentFor(canaryTenant)).toBe('v9');
    down = true;
    await new Promise((r) => setTimeout(r, 5));
    expect(await router.deploymentFor(canaryTenant)).toBe('v9');
    expect(await router.deploymentFor('never-seen')).toBeNull();
    const refused = deploymentRouter({ apiUrl: api.url, token: 'not-a-token' });
    expect(await refused.deploymentFor(canaryTenant)).toBeNull();
  });

  it('says what is missing when it has no API or token', () => {
    expect(() => deploymentRouter({ token: 't', apiUrl: '' })).toThrow(/apiUrl/);
    expect(() => deploymentRouter({ apiUrl: 'http://x', token: '' })).toThrow(/token/);
  });
});
