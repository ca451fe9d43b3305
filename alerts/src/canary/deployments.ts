// Recording deployments and promoting them: one place for what the API, the CLI and the dashboard
// (through the API) do to a deployment's row.

import type pg from 'pg';

/** A pool (the CLI, as the admin) or a caller's transaction (the API, under row-level security). */
type Queryable = pg.Pool | pg.ClientBase;

export interface StartedDeployment {
  name: string;
  baseline: string | null;
  weight: number | null;
  state: string;
  started_at: Date;
}

/** Records a running deployment; recording it again keeps what was known and fills in what is new. */
export async function recordDeployment(
  db: Queryable,
  projectId: string,
  deployment: { name: string; baseline?: string | undefined; weight?: number | undefined; source: 'api' | 'cli' },
): Promise<StartedDeployment> {
  const { rows } = await db.query<StartedDeployment>(
    `insert into deployments (project_id, name, baseline, weight, source) values ($1, $2, $3, $4, $5)
     on conflict (project_id, name) do update set baseline = coalesce(excluded.baseline, deployments.baseline), weight = coalesce(excluded.weight, deployments.weight)
     returning name, baseline, weight, state, started_at`,
    [projectId, deployment.name, deployment.baseline ?? null, deployment.weight ?? null, deployment.source],
  );
  return rows[0]!;
}

/** Marks a running deployment promoted; false when it is not running. */
export async function promoteDeployment(db: Queryable, projectId: string, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `update deployments set state = 'promoted', ended_at = now() where project_id = $1 and name = $2 and state = 'running'`,
    [projectId, name],
  );
  return rowCount === 1;
}
