// Who is asking. Every query runs in a transaction that takes the caller's role and JWT claims, so
// row-level security, not this code, decides which projects and tenants it sees.

import type pg from 'pg';
import { z } from 'zod';
import { inTransaction } from '../db/transaction.ts';
import {
  type Capability,
  MEMBER_ROLES,
  type MemberRole,
  ROLE_CLAIM,
  ROLE_WITHOUT_CLAIM,
  roleCan,
} from '../access/roles.ts';

export const callerSchema = z.discriminatedUnion('role', [
  // An admin: Vigil's own processes, or a service_role token.
  z.object({ role: z.literal('service_role') }),
  // A project member; with tenantId, a tenant-scoped token (a customer's finance contact, say).
  // Without memberRole, a token minted before roles existed (ROLE_WITHOUT_CLAIM).
  z.object({
    role: z.literal('authenticated'),
    projectId: z.string().uuid(),
    tenantId: z.string().min(1).optional(),
    memberRole: z.enum(MEMBER_ROLES).optional(),
    /** A Supabase Auth user acting through their membership (access/members.ts). */
    userId: z.string().uuid().optional(),
  }),
]);

export type Caller = z.infer<typeof callerSchema>;

export const SERVICE_CALLER: Caller = { role: 'service_role' };

export function isTenantScoped(caller: Caller): boolean {
  return caller.role === 'authenticated' && caller.tenantId !== undefined;
}

/** The member role a caller acts with: service_role is an admin of every project. */
export function memberRoleOf(caller: Caller): MemberRole {
  return caller.role === 'service_role' ? 'admin' : (caller.memberRole ?? ROLE_WITHOUT_CLAIM);
}

export function callerCan(caller: Caller, capability: Capability): boolean {
  return roleCan(memberRoleOf(caller), capability);
}

export interface CallerTransaction {
  /** A change (silences, deployments): read committed, and row-level security's insert and update policies decide. */
  write?: boolean;
}

/**
 * Runs fn in a transaction as the caller, so row-level security decides what it sees and changes.
 * Reads get a read-only REPEATABLE READ snapshot for the whole answer: rollups being compacted and
 * pending deltas are never seen twice or missed.
 */
export async function withCaller<T>(
  pool: pg.Pool,
  caller: Caller,
  fn: (client: pg.ClientBase) => Promise<T>,
  transaction: CallerTransaction = {},
): Promise<T> {
  const claims =
    caller.role === 'service_role'
      ? { role: 'service_role' }
      : {
          role: 'authenticated',
          project_id: caller.projectId,
          [ROLE_CLAIM]: memberRoleOf(caller),
          ...(caller.tenantId ? { tenant_id: caller.tenantId } : {}),
        };
  return inTransaction(
    pool,
    async (client) => {
      // Answers group a few thousand rows; enough memory keeps that a hash aggregate, off disk.
      await client.query(
        `select set_config('request.jwt.claims', $1, true), set_config('role', $2, true), set_config('work_mem', '32MB', true)`,
        [JSON.stringify(claims), caller.role],
      );
      return fn(client);
    },
    transaction.write ? 'begin isolation level read committed' : 'begin isolation level repeatable read read only',
  );
}
