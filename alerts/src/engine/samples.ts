// Once a minute per alert instance, the number the engine judged it by: the history behind the
// dashboard's burn-rate sparklines. A tick overwrites its minute's sample, so the last word wins.

import type pg from 'pg';
import type { AlertDefinition, Evaluation } from './alert-definition.ts';
import { judgedValue } from './observations.ts';

const KEEP_MS = 8 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export async function recordSamples(
  client: pg.ClientBase,
  definitions: AlertDefinition[],
  evaluations: Map<string, Evaluation>,
  now: number,
): Promise<void> {
  if (definitions.length === 0) return;
  await client.query(
    `insert into alert_samples (project_id, tenant_id, fingerprint, at, value)
     select p, t, f, date_trunc('minute', to_timestamp($4 / 1000.0)), v from unnest($1::uuid[], $2::text[], $3::text[], $5::float8[]) as s(p, t, f, v)
     on conflict (project_id, fingerprint, at) do update set value = excluded.value`,
    [
      definitions.map((d) => d.projectId),
      definitions.map((d) => d.tenantId),
      definitions.map((d) => d.fingerprint),
      now,
      definitions.map((d) => {
        const evaluation = evaluations.get(d.fingerprint);
        return evaluation ? judgedValue(evaluation.observed) : null;
      }),
    ],
  );
}

/** Drops samples older than 8 days; returns when it next needs to run. */
export async function pruneSamples(client: pg.ClientBase, now: number): Promise<number> {
  await client.query(`delete from alert_samples where at < $1`, [new Date(now - KEEP_MS)]);
  return now + PRUNE_EVERY_MS;
}
