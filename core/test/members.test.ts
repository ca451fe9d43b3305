// Supabase Auth users as members: a Supabase session token (role `authenticated`, the user's id in
// `sub`, no Vigil claims) acts as the user's membership says, on the API as in the database.

import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, memberCaller, putMember, removeMember } from '../src/access/members.ts';
import { inTransaction } from '../src/db/transaction.ts';
import { auditOfCaller } from '../src/audit/audit-log.ts';
import { createApiApp } from '../src/http/app.ts';
import { readRoutes } from '../src/http/read-routes.ts';
import { type RunningServer, serveApp } from '../src/http/serve.ts';
import { createProject } from '../src/projects.ts';
import { withCaller } from '../src/query/caller.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';

const SECRET = 'members-test-secret-members-test-secret-01';
const OPERATOR = '5a3c1c1e-0000-4000-8000-000000000001';
const STRANGER = '5a3c1c1e-0000-4000-8000-000000000002';
const ACCOUNTANT = '5a3c1c1e-0000-4000-8000-000000000003';

let db: TestDatabase;
let alpha: string;
let beta: string;
let server: RunningServer;
const putMemberNow = (member: Member) => inTransaction(db.pool, (client) => putMember(client, member));

/** What Supabase Auth issues for a signed-in user (HS256 with the project's JWT secret). */
function supabaseSession(userId: string): Promise<string> {
  return new SignJWT({ role: 'authenticated', aud: 'authenticated', email: 'someone@example.com' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

beforeAll(async () => {
  db = await createTestDatabase();
  alpha = (await createProject(db.pool, 'members-alpha')).id;
  beta = (await createProject(db.pool, 'members-beta')).id;
  await putMemberNow({ projectId: alpha, userId: OPERATOR, role: 'operator', tenantId: null });
  await putMemberNow({ projectId: beta, userId: OPERATOR, role: 'viewer', tenantId: 'acme' });
  await putMemberNow({ projectId: alpha, userId: ACCOUNTANT, role: 'finance', tenantId: null });
  server = await serveApp(
    createApiApp({ jwtSecret: SECRET, routes: readRoutes(db.pool), pool: db.pool }),
    '127.0.0.1',
    0,
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

async function post(userId: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await supabaseSession(userId)}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify({ window: { from: new Date(Date.now() - 3_600_000), to: new Date() }, limit: 5 }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
}

describe('a Supabase Auth user', () => {
  it('acts as their membership: its project, role and tenant', async () => {
    expect(await memberCaller(db.pool, OPERATOR)).toEqual({
      role: 'authenticated',
      projectId: alpha,
      memberRole: 'operator',
      userId: OPERATOR,
    });
    expect(await memberCaller(db.pool, OPERATOR, 'members-beta')).toEqual({
      role: 'authenticated',
      projectId: beta,
      memberRole: 'viewer',
      userId: OPERATOR,
      tenantId: 'acme',
    });
    expect(auditOfCaller(await memberCaller(db.pool, OPERATOR)).actor).toBe(`user:${OPERATOR} (operator)`);
  });

  it('signs in to the API without a Vigil token, a member of several projects naming one', async () => {
    expect((await post(OPERATOR, '/traces')).status).toBe(200);
    expect((await post(OPERATOR, '/traces', { 'x-vigil-project': beta })).status).toBe(200);
    const finance = await post(ACCOUNTANT, '/traces');
    expect(finance.status).toBe(403);
    expect(finance.body.error?.message).toMatch(/a finance cannot read traces/);
  });

  it('is refused when no membership says who they are', async () => {
    const stranger = await post(STRANGER, '/traces');
    expect(stranger.status).toBe(401);
    expect(stranger.body.error?.message).toMatch(/not a member of any Vigil project/);
    const elsewhere = await post(ACCOUNTANT, '/traces', { 'x-vigil-project': 'members-beta' });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error?.message).toMatch(/not a member of project "members-beta"/);
  });

  it('loses access when removed, and a change reports the role it replaced', async () => {
    const temp = '5a3c1c1e-0000-4000-8000-000000000004';
    expect(await putMemberNow({ projectId: alpha, userId: temp, role: 'viewer', tenantId: null })).toBeNull();
    expect(await putMemberNow({ projectId: alpha, userId: temp, role: 'admin', tenantId: null })).toEqual({
      projectId: alpha,
      userId: temp,
      role: 'viewer',
      tenantId: null,
    });
    expect((await post(temp, '/traces')).status).toBe(200);
    expect((await removeMember(db.pool, alpha, temp))?.role).toBe('admin');
    expect((await post(temp, '/traces')).status).toBe(401);
  });

  it('sees their own memberships; a project admin sees its members; others see none', async () => {
    const visible = async (claims: object) =>
      withCaller(db.pool, { role: 'authenticated', projectId: alpha, memberRole: 'viewer' }, async (client) => {
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
        return (await client.query('select user_id from members order by user_id')).rows.map((r) => r.user_id);
      });
    expect(await visible({ role: 'authenticated', sub: OPERATOR })).toEqual([OPERATOR, OPERATOR]);
    expect(await visible({ role: 'authenticated', project_id: alpha, vigil_role: 'admin' })).toEqual([
      OPERATOR,
      ACCOUNTANT,
    ]);
    expect(await visible({ role: 'authenticated', project_id: alpha, vigil_role: 'operator' })).toEqual([]);
  });
});
