// The audit log is append-only for every role, the table's owner included, and members read only
// their project's events (and, with a tenant token, only their tenant's and project-wide ones).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { readAudit, recordAudit } from '../src/audit/audit-log.ts';
import { createProject } from '../src/projects.ts';

let db: TestDatabase;
let a: string;
let b: string;
beforeAll(async () => {
  db = await createTestDatabase();
  a = (await createProject(db.pool, 'audited-a')).id;
  b = (await createProject(db.pool, 'audited-b')).id;
  const base = { actor: 'cli:ops@host', origin: 'cli' };
  await recordAudit(db.pool, {
    ...base,
    projectId: a,
    action: 'key.created',
    target: 'k1',
    after: { prefix: 'vgl_x' },
  });
  await recordAudit(db.pool, { ...base, projectId: a, tenantId: 'acme', action: 'token.issued', target: a });
  await recordAudit(db.pool, { ...base, projectId: a, tenantId: 'globex', action: 'token.issued', target: a });
  await recordAudit(db.pool, { ...base, projectId: b, action: 'silence.created', target: '7' });
});
afterAll(() => db.drop());

/** Runs sql as a role (in a rolled-back transaction); resolves to the error message, or null. */
async function asRole(role: string, sql: string, claims: Record<string, string> = {}): Promise<string | null> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role, ...claims })]);
    if (role !== 'owner') await client.query(`set local role ${role}`);
    await client.query(sql);
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

describe('the audit log', () => {
  it('refuses updates, deletes and truncation to every role, the owner included', async () => {
    for (const role of ['owner', 'service_role', 'authenticated']) {
      expect(await asRole(role, `update audit_events set actor = 'someone else'`), role).toMatch(
        /append-only|permission denied/,
      );
      expect(await asRole(role, 'delete from audit_events'), role).toMatch(/append-only|permission denied/);
      expect(await asRole(role, 'truncate audit_events'), role).toMatch(/append-only|permission denied/);
    }
    expect(await asRole('owner', `update audit_events set actor = 'x'`)).toMatch(/audit_events is append-only: UPDATE/);
    // Members cannot write events either; Vigil's processes do.
    expect(
      await asRole(
        'authenticated',
        `insert into audit_events (project_id, actor, action, target, origin) values ('${a}', 'me', 'key.created', 'k', 'api')`,
        {
          project_id: a,
        },
      ),
    ).toMatch(/permission denied/);
    const { rows } = await db.pool.query('select count(*)::int as n from audit_events');
    expect(rows[0].n).toBe(4);
  });

  it('shows members their project, and a tenant token its tenant and project-wide events', async () => {
    const member = await readAudit(db.pool, { role: 'authenticated', projectId: a }, { projectId: a });
    expect(member.map((e) => e.action).sort()).toEqual(['key.created', 'token.issued', 'token.issued']);
    expect(await readAudit(db.pool, { role: 'authenticated', projectId: a }, { projectId: b })).toEqual([]);
    const tenant = await readAudit(
      db.pool,
      { role: 'authenticated', projectId: a, tenantId: 'acme' },
      { projectId: a },
    );
    expect(tenant.map((e) => [e.action, e.tenantId]).sort()).toEqual([
      ['key.created', '*'],
      ['token.issued', 'acme'],
    ]);
    const filtered = await readAudit(db.pool, { role: 'service_role' }, { projectId: a, actions: ['key.created'] });
    expect(filtered).toMatchObject([
      { action: 'key.created', target: 'k1', actor: 'cli:ops@host', after: { prefix: 'vgl_x' } },
    ]);
  });
});
