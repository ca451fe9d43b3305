// A project's members through the API: an admin adds, changes and removes them; other roles and
// tenant-scoped admins are refused at the API and in the database; bad input says what is wrong;
// each change is in the audit log with the role and tenant before and after.

import { createApiApp, createProject, type RunningServer, serveApp, signToken, withCaller } from '@vigil/core';
import type { MemberRole } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { alertsApiRoutes } from '../src/api/index.ts';
import { callApi } from './support/api-call.ts';
import { parseAlertsConfig } from '../src/config/load.ts';

const SECRET = 'member-routes-test-secret-of-32-chars!';
const ANA = '6b1d0000-0000-4000-8000-00000000000a';
const BO = '6b1d0000-0000-4000-8000-00000000000b';

let db: TestDatabase;
let server: RunningServer;
let projectId: string;
let otherProject: string;
const token = (memberRole: MemberRole, tenantId?: string, project = projectId) =>
  signToken(
    { role: 'authenticated', projectId: project, memberRole, ...(tenantId ? { tenantId } : {}), ttlSeconds: 600 },
    SECRET,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'shop')).id;
  otherProject = (await createProject(db.pool, 'lab')).id;
  const app = createApiApp({
    jwtSecret: SECRET,
    routes: alertsApiRoutes({ pool: db.pool, config: () => parseAlertsConfig({}) }),
  });
  server = await serveApp(app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await db.drop();
});

const call = (bearer: string, path: string, body?: unknown) => callApi(server.url, bearer, path, body);

const memberRows = async (project: string) =>
  (
    await db.pool.query(`select user_id, role, tenant_id from members where project_id = $1 order by user_id`, [
      project,
    ])
  ).rows;

describe('members through the API', () => {
  it('lets an admin add, change and remove a member, each change audited', async () => {
    const admin = await token('admin');
    const added = await call(admin, '/members', { userId: ANA, role: 'viewer' });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({
      project: 'shop',
      userId: ANA,
      member: { role: 'viewer', tenantId: null },
      replaced: null,
    });
    const changed = await call(admin, '/members', { userId: ANA, role: 'finance', tenantId: 'acme' });
    expect(changed.body.replaced).toEqual({ role: 'viewer', tenantId: null });
    expect(await memberRows(projectId)).toEqual([{ user_id: ANA, role: 'finance', tenant_id: 'acme' }]);
    const listed = await call(admin, '/members');
    expect(listed.body.members).toEqual([
      { userId: ANA, role: 'finance', tenantId: 'acme', updatedAt: expect.any(String) },
    ]);

    const removed = await call(admin, '/members/remove', { userId: ANA });
    expect(removed.body.removed).toEqual({ role: 'finance', tenantId: 'acme' });
    expect(await memberRows(projectId)).toEqual([]);
    expect((await call(admin, '/members/remove', { userId: ANA })).status).toBe(404);

    const { rows } = await db.pool.query(
      `select action, actor, target, before, after from audit_events where project_id = $1 and action like 'member.%' order by at, id`,
      [projectId],
    );
    expect(rows).toEqual([
      {
        action: 'member.added',
        actor: 'token:admin',
        target: ANA,
        before: null,
        after: { role: 'viewer', tenant: null },
      },
      {
        action: 'member.changed',
        actor: 'token:admin',
        target: ANA,
        before: { role: 'viewer', tenant: null },
        after: { role: 'finance', tenant: 'acme' },
      },
      {
        action: 'member.removed',
        actor: 'token:admin',
        target: ANA,
        before: { role: 'finance', tenant: 'acme' },
        after: null,
      },
    ]);
  });

  it('refuses other roles and tenant-scoped admins, at the API and in the database', async () => {
    await call(await token('admin'), '/members', { userId: BO, role: 'operator' });
    for (const role of ['viewer', 'finance', 'operator'] as const) {
      const bearer = await token(role);
      for (const [path, body] of [
        ['/members', { userId: ANA, role: 'admin' }],
        ['/members/remove', { userId: BO }],
        ['/members', undefined],
      ] as const) {
        const refused = await call(bearer, path, body);
        expect(refused.status, `${role} ${path}`).toBe(403);
        expect(refused.body.error.message).toMatch(/admin/);
      }
    }
    // Row-level security is the gate even for a caller that skips the API.
    const operator = { role: 'authenticated', projectId, memberRole: 'operator' } as const;
    await expect(
      withCaller(
        db.pool,
        operator,
        (client) =>
          client.query(`insert into members (project_id, user_id, role) values ($1, $2, 'admin')`, [projectId, ANA]),
        { write: true },
      ),
    ).rejects.toThrow(/row-level security/);
    expect(
      await withCaller(
        db.pool,
        operator,
        (client) => client.query(`delete from members where project_id = $1`, [projectId]).then((r) => r.rowCount),
        { write: true },
      ),
    ).toBe(0);
    // A tenant-scoped admin changes no members.
    expect((await call(await token('admin', 'acme'), '/members', { userId: ANA, role: 'admin' })).status).toBe(403);
    expect((await call(await token('admin', 'acme'), '/members/remove', { userId: BO })).status).toBe(404);
    // Nor does another project's admin, whatever project it names.
    const lab = await token('admin', undefined, otherProject);
    expect((await call(lab, '/members', { project: 'shop', userId: ANA, role: 'admin' })).status).toBe(403);
    expect(await memberRows(projectId)).toEqual([{ user_id: BO, role: 'operator', tenant_id: null }]);
  });

  it('says what is wrong with a bad request, and changes nothing', async () => {
    const admin = await token('admin');
    for (const [body, message] of [
      [{ userId: 'bo@example.com', role: 'viewer' }, /UUID/],
      [{ userId: ANA, role: 'owner' }, /role is one of viewer, finance, operator, admin/],
      [{ userId: ANA, role: 'viewer', tenantId: '' }, /tenantId/],
      [{ userId: ANA, role: 'viewer', team: 'x' }, /team/],
    ] as const) {
      const refused = await call(admin, '/members', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(refused.body.error)).toMatch(message);
    }
    expect(await memberRows(projectId)).toEqual([{ user_id: BO, role: 'operator', tenant_id: null }]);
  });
});
