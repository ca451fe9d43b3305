// The audit log (audit_events): one definition of an audit event, the one way to write it, and the
// one way to read it back as a caller (row-level security decides what it sees). Rows are
// append-only in the database itself (the migration's trigger); nothing here updates or deletes.

import type pg from 'pg';
import { z } from 'zod';
import { type Caller, memberRoleOf, withCaller } from '../query/caller.ts';

export const AUDIT_ACTIONS = [
  'key.created',
  'key.rotated',
  'key.revoked',
  'token.issued',
  'member.added',
  'member.changed',
  'member.removed',
  'silence.created',
  'silence.expired',
  'deployment.started',
  'deployment.promoted',
  'deployment.rolled_back',
  'reprice.run',
  'config.overrides_set',
  'config.overrides_cleared',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The engine, when it acts on its own (a rollback on a failing canary). */
export const ENGINE_ACTOR = 'engine';

const json = z.record(z.string(), z.unknown()).nullable();

export const auditEventSchema = z
  .object({
    projectId: z.string().uuid().nullable(),
    tenantId: z.string().min(1).default('*'),
    actor: z.string().min(1).max(200),
    action: z.enum(AUDIT_ACTIONS),
    target: z.string().min(1).max(500),
    before: json.default(null),
    after: json.default(null),
    origin: z.string().min(1).max(200),
    /** When it happened, for an actor with its own clock (the engine replaying the demo's past); now otherwise. */
    at: z.date().optional(),
  })
  .strict();
export type AuditEvent = z.input<typeof auditEventSchema>;

type Queryable = Pick<pg.Pool, 'query'>;

/** Who a change made through the HTTP API (or the dashboard, which calls it) is recorded as. */
export function auditOfCaller(caller: Caller, origin = 'api'): { actor: string; origin: string } {
  if (caller.role === 'service_role') return { actor: 'token:admin', origin };
  // A Supabase user by id; a Vigil token by its role (tokens minted before roles: "member").
  const who = caller.userId
    ? `user:${caller.userId} (${memberRoleOf(caller)})`
    : `token:${caller.memberRole ?? 'member'}`;
  return { actor: `${who}${caller.tenantId ? ` of tenant ${caller.tenantId}` : ''}`, origin };
}

/** Appends one event; pass the transaction's client to record a change with it. */
export async function recordAudit(db: Queryable, event: AuditEvent): Promise<void> {
  const e = auditEventSchema.parse(event);
  await db.query(
    `insert into audit_events (project_id, tenant_id, actor, action, target, before, after, origin, at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()))`,
    [e.projectId, e.tenantId, e.actor, e.action, e.target, e.before, e.after, e.origin, e.at ?? null],
  );
}

export const auditQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    actions: z.array(z.enum(AUDIT_ACTIONS)).max(AUDIT_ACTIONS.length).optional(),
    actor: z.string().min(1).optional(),
    limit: z.number().int().positive().max(10_000).default(200),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

export interface AuditRow {
  id: string;
  at: Date;
  tenantId: string;
  actor: string;
  action: AuditAction;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  origin: string;
}

/** A project's events, newest first, as the caller may see them. */
export async function readAudit(pool: pg.Pool, caller: Caller, input: AuditQuery): Promise<AuditRow[]> {
  const q = auditQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select id::text, at, tenant_id, actor, action, target, before, after, origin from audit_events
        where project_id = $1 and ($2::timestamptz is null or at >= $2) and ($3::timestamptz is null or at < $3)
          and ($4::text[] is null or action = any($4)) and ($5::text is null or actor = $5)
        order by at desc, id desc limit $6`,
      [q.projectId, q.from ?? null, q.to ?? null, q.actions ?? null, q.actor ?? null, q.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      tenantId: r.tenant_id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      before: r.before,
      after: r.after,
      origin: r.origin,
    }));
  });
}
