// What the alerts routes share: the database, the config in effect, and which project a call is
// about.

import { ApiError, type Caller, withCaller } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import type { AlertsConfig } from '../config/schema.ts';

export interface AlertsApiOptions {
  pool: pg.Pool;
  config: () => Promise<AlertsConfig> | AlertsConfig;
  env?: NodeJS.ProcessEnv;
}

export interface Project {
  id: string;
  name: string;
}

export const deploymentName = z
  .string()
  .regex(/^[\w.:@/+-]{1,200}$/, 'a deployment name is 1-200 letters, digits or ._:@/+-');

/** An optional project name: a member's token already names its project. */
export const projectName = z.string().min(1).optional();

/**
 * The project a call is about: a member's token names it (a different name asked for is a 403);
 * an admin names it, "default" when not.
 */
export async function projectOf(pool: pg.Pool, caller: Caller, name: string | null | undefined): Promise<Project> {
  if (caller.role === 'authenticated') {
    const rows = await withCaller(pool, caller, async (client) => {
      const result = await client.query<Project>(`select id, name from projects where id = $1`, [caller.projectId]);
      return result.rows;
    });
    if (!rows[0]) throw new ApiError(403, 'the token names a project that does not exist');
    if (name && name !== rows[0].name) throw new ApiError(403, `the token is for project ${rows[0].name}, not ${name}`);
    return rows[0];
  }
  const { rows } = await pool.query<Project>(`select id, name from projects where name = $1`, [name ?? 'default']);
  if (!rows[0]) throw new ApiError(404, `no project named "${name ?? 'default'}"`);
  return rows[0];
}

/**
 * Gates judge every tenant's traffic of a project, so they take a project-wide token: a token
 * scoped to one tenant must not learn how the others fare.
 */
export function requireProjectWide(caller: Caller): void {
  if (caller.role === 'authenticated' && caller.tenantId !== undefined)
    throw new ApiError(403, 'a tenant-scoped token cannot gate or change deployments; use a project token');
}
