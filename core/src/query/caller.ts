// Who is asking. Every query runs in a transaction that takes the caller's role and JWT claims, so
// row-level security, not this code, decides which projects and tenants it sees.

import type pg from 'pg';
import { z } from 'zod';

export const callerSchema = z.discriminatedUnion('role', [
  // An admin: Vigil's own processes, or a service_role token.
  z.object({ role: z.literal('service_role') }),
  // A project member; with tenantId, a tenant-scoped token (a customer's finance contact, say).
  z.object({ role: z.literal('authenticated'), projectId: z.string().uuid(), tenantId: z.string().min(1).optional() }),
]);

export type Caller = z.infer<typeof callerSchema>;

export const SERVICE_CALLER: Caller = { role: 'service_role' };

export function isTenantScoped(caller: Caller): boolean {
  return caller.role === 'authenticated' && caller.tenantId !== undefined;
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
  const client = await pool.connect();
  try {
    await client.query(
      transaction.write ? 'begin isolation level read committed' : 'begin isolation level repeatable read read only',
    );
    try {
      const claims =
        caller.role === 'service_role'
          ? { role: 'service_role' }
          : {
              role: 'authenticated',
              project_id: caller.projectId,
              ...(caller.tenantId ? { tenant_id: caller.tenantId } : {}),
            };
      // Answers group a few thousand rows; enough memory keeps that a hash aggregate, off disk.
      await client.query(
        `select set_config('request.jwt.claims', $1, true), set_config('role', $2, true), set_config('work_mem', '32MB', true)`,
        [JSON.stringify(claims), caller.role],
      );
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}
