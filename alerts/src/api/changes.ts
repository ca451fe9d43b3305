// Changes made through the API run as the caller, so row-level security decides them (see the
// member_changes migration): a refused insert is a 403, and a row the caller may not change is
// told apart from one that does not exist.

import { ApiError, type Caller, isRowSecurityRefusal, withCaller } from '@vigil/core';
import type pg from 'pg';

const REFUSED = 'this token cannot change it: use a project token, not one scoped to a tenant';

/** Runs a change as the caller; row-level security refusing it becomes a 403. */
export async function changeAsCaller<T>(
  pool: pg.Pool,
  caller: Caller,
  change: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  try {
    return await withCaller(pool, caller, change, { write: true });
  } catch (error) {
    if (isRowSecurityRefusal(error)) throw new ApiError(403, REFUSED);
    throw error;
  }
}

/**
 * Locks the row the caller means to change, if it may change it. When it may not see it as
 * changeable, says whether it exists at all: 403 for a row it may not change, 404 for none.
 */
export async function lockChangeable<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  client: pg.ClientBase,
  sql: { table: 'deployments' | 'alert_silences'; where: string; params: unknown[]; columns: string },
  missing: string,
): Promise<Row> {
  const { rows } = await client.query<Row>(
    `select ${sql.columns} from ${sql.table} where ${sql.where} for update`,
    sql.params,
  );
  if (rows[0]) return rows[0];
  const exists = await pool.query(`select 1 from ${sql.table} where ${sql.where}`, sql.params);
  throw exists.rowCount ? new ApiError(403, REFUSED) : new ApiError(404, missing);
}
