// A project's alerting overrides through the API: an admin replaces and clears them, every role
// that reads health reads them, the engine's config follows, bad overrides are refused with what
// is wrong, and each change is in the audit log with the overrides before and after.

import { createApiApp, createProject, type RunningServer, serveApp, signToken, withCaller } from '@vigil/core';
import type { MemberRole } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { alertsApiRoutes } from '../src/api/index.ts';
import { callApi } from './support/api-call.ts';
import { withProjectOverrides } from '../src/config/effective.ts';
import { parseAlertsConfig } from '../src/config/load.ts';

const SECRET = 'override-routes-test-secret-of-32-chars';
const fileConfig = parseAlertsConfig({
  slos: [{ name: 'chat-latency', project: 'shop', objective: 99, sli: { kind: 'latency', thresholdMs: 800 } }],
});

let db: TestDatabase;
let server: RunningServer;
let projectId: string;
const token = (memberRole: MemberRole, tenantId?: string) =>
  signToken(
    { role: 'authenticated', projectId, memberRole, ...(tenantId ? { tenantId } : {}), ttlSeconds: 600 },
    SECRET,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'shop')).id;
  const app = createApiApp({
    jwtSecret: SECRET,
    routes: alertsApiRoutes({ pool: db.pool, config: () => withProjectOverrides(db.pool, fileConfig) }),
  });
  server = await serveApp(app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

const call = (bearer: string, path: string, body?: unknown) => callApi(server.url, bearer, path, body);

const stricter = {
  slos: [{ name: 'chat-latency', objective: 99.5, sli: { kind: 'latency', thresholdMs: 1200 } }],
  rules: [{ name: 'cost', metric: 'cost_per_request', threshold: 0.05 }],
};

describe('alerting overrides through the API', () => {
  it('lets an admin replace them; the config in effect follows; the change is audited', async () => {
    const admin = await token('admin');
    expect((await call(admin, '/alerts/overrides')).body).toMatchObject({ project: 'shop', overrides: null });
    const set = await call(admin, '/alerts/overrides', { overrides: stricter });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ project: 'shop', overrides: stricter, replaced: null });
    const read = await call(await token('viewer'), '/alerts/overrides');
    expect(read.body.overrides).toEqual(stricter);
    const config = await call(admin, '/alerts/config');
    expect(config.body.slos).toEqual([expect.objectContaining({ name: 'chat-latency', objective: 99.5 })]);
    expect(config.body.rules.map((r: { name: string }) => r.name)).toEqual(['cost']);

    const looser = { slos: [{ ...stricter.slos[0], objective: 98 }] };
    const replaced = await call(admin, '/alerts/overrides', { overrides: looser });
    expect(replaced.body.replaced.overrides).toEqual(stricter);
    const { rows } = await db.pool.query(
      `select action, actor, before, after from audit_events where project_id = $1 and action like 'config.%' order by at, id`,
      [projectId],
    );
    expect(rows).toEqual([
      { action: 'config.overrides_set', actor: 'token:admin', before: null, after: { overrides: stricter } },
      {
        action: 'config.overrides_set',
        actor: 'token:admin',
        before: { overrides: stricter },
        after: { overrides: looser },
      },
    ]);
  });

  it('refuses other roles, at the API and in the database', async () => {
    for (const role of ['viewer', 'finance', 'operator'] as const) {
      const refused = await call(await token(role), '/alerts/overrides', { overrides: stricter });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/admin/);
    }
    // Row-level security is the gate even for a caller that skips the API.
    await expect(
      withCaller(
        db.pool,
        { role: 'authenticated', projectId, memberRole: 'operator' },
        (client) => client.query(`update alert_configs set config = '{}' where project_id = $1`, [projectId]),
        { write: true },
      ).then((r) => r.rowCount),
    ).resolves.toBe(0);
    const tenantAdmin = await call(await token('admin', 'acme'), '/alerts/overrides', { overrides: stricter });
    expect(tenantAdmin.status).toBe(403);
  });

  it('says what is wrong with bad overrides, and stores nothing', async () => {
    const admin = await token('admin');
    const before = (await call(admin, '/alerts/overrides')).body.overrides;
    for (const [overrides, message] of [
      [{ slos: [{ name: 'x', objective: 100, sli: { kind: 'latency' } }] }, /slos\[0\]\.objective/],
      [{ slos: [{ name: 'x', project: 'other', objective: 99, sli: { kind: 'latency' } }] }, /project/],
      [{ alerts: [] }, /alerts/],
      [
        {
          slos: [
            { name: 'twice', objective: 99, sli: { kind: 'latency', thresholdMs: 500 } },
            { name: 'twice', objective: 98, sli: { kind: 'latency', thresholdMs: 500 } },
          ],
        },
        /"twice" is used twice/,
      ],
    ] as const) {
      const refused = await call(admin, '/alerts/overrides', { overrides });
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(refused.body.error.message).toMatch(message);
    }
    expect((await call(admin, '/alerts/overrides')).body.overrides).toEqual(before);
  });

  it('clears them, so the file alone applies, and audits what was removed', async () => {
    const admin = await token('admin');
    const before = (await call(admin, '/alerts/overrides')).body.overrides;
    const cleared = await call(admin, '/alerts/overrides/clear', {});
    expect(cleared.body.cleared.overrides).toEqual(before);
    expect((await call(admin, '/alerts/overrides')).body.overrides).toBeNull();
    expect((await call(admin, '/alerts/config')).body.slos).toEqual([
      expect.objectContaining({ name: 'chat-latency', objective: 99 }),
    ]);
    const { rows } = await db.pool.query(
      `select before, after from audit_events where project_id = $1 and action = 'config.overrides_cleared'`,
      [projectId],
    );
    expect(rows).toEqual([{ before: { overrides: before }, after: null }]);
    // Clearing nothing changes nothing, and is not audited.
    expect((await call(admin, '/alerts/overrides/clear', {})).body.cleared).toBeNull();
  });
});
