// Where the engine keeps its instances between ticks: alert_instances (state per fingerprint),
// alert_events (the timeline) and the active silences. Written in the tick's transaction.

import type pg from 'pg';
import type { InstanceDecision, StoredInstance } from './decide.ts';
import type { Silence } from './policy.ts';

/** The instances' stored state, locked for this tick. */
export async function loadInstances(
  client: pg.ClientBase,
  fingerprints: readonly string[],
): Promise<Map<string, StoredInstance>> {
  const { rows } = await client.query(
    `select fingerprint, state, extract(epoch from since) * 1000 as since, extract(epoch from last_true_at) * 1000 as last_true_at,
            extract(epoch from fired_at) * 1000 as fired_at, extract(epoch from last_notified_at) * 1000 as last_notified_at
       from alert_instances where fingerprint = any($1::text[]) for update`,
    [fingerprints],
  );
  return new Map(
    rows.map((r) => [
      r.fingerprint,
      {
        state: {
          state: r.state,
          since: Number(r.since),
          lastTrueAt: r.last_true_at === null ? null : Number(r.last_true_at),
          firedAt: r.fired_at === null ? null : Number(r.fired_at),
        },
        lastNotifiedAt: r.last_notified_at === null ? null : Number(r.last_notified_at),
      },
    ]),
  );
}

export async function loadActiveSilences(client: pg.ClientBase, now: number): Promise<Silence[]> {
  const { rows } = await client.query<{ project_id: string; matchers: Record<string, string> }>(
    `select project_id, matchers from alert_silences where starts_at <= $1 and ends_at > $1`,
    [new Date(now)],
  );
  return rows.map((s) => ({ projectId: s.project_id, matchers: s.matchers }));
}

/** Stores an instance as decided, and its transition in the timeline when its state changed. */
export async function saveInstance(client: pg.ClientBase, decision: InstanceDecision, now: number): Promise<void> {
  const { definition, evaluation, state, notifiedAt, from } = decision;
  await client.query(
    `insert into alert_instances (project_id, fingerprint, tenant_id, alert_name, kind, severity, labels, state, since, last_true_at, fired_at, evaluated_at, observed, last_notified_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9 / 1000.0), to_timestamp($10 / 1000.0), to_timestamp($11 / 1000.0), to_timestamp($12 / 1000.0), $13, to_timestamp($14 / 1000.0))
     on conflict (project_id, fingerprint) do update set
       state = excluded.state, since = excluded.since, last_true_at = excluded.last_true_at, fired_at = excluded.fired_at,
       evaluated_at = excluded.evaluated_at, observed = excluded.observed, last_notified_at = excluded.last_notified_at, labels = excluded.labels`,
    [
      definition.projectId,
      definition.fingerprint,
      definition.tenantId,
      definition.name,
      definition.kind,
      definition.severity,
      JSON.stringify(definition.labels),
      state.state,
      state.since,
      state.lastTrueAt,
      state.firedAt,
      now,
      JSON.stringify(evaluation.observed),
      notifiedAt,
    ],
  );
  if (from === state.state) return;
  await client.query(
    `insert into alert_events (project_id, tenant_id, fingerprint, at, from_state, to_state, observed) values ($1, $2, $3, to_timestamp($4 / 1000.0), $5, $6, $7)`,
    [
      definition.projectId,
      definition.tenantId,
      definition.fingerprint,
      now,
      from,
      state.state,
      JSON.stringify(evaluation.observed),
    ],
  );
}
