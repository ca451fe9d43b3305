// Alert reads for the dashboard and the API: the engine's instances and what it last saw, its
// per-minute samples, and the alert timeline with silences and delivery logs.

import { type Caller, windowSchema, withCaller } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import type { AlertObservation } from '../engine/observations.ts';
import { SLACK_TEXT_SQL } from '../engine/outbox.ts';

export const alertsQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    /** Only instances that are not normal or resolved. */
    activeOnly: z.boolean().default(false),
  })
  .strict();

export type AlertsQuery = z.input<typeof alertsQuerySchema>;

export const alertSamplesQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    /** Bucket width: each bucket holds the highest sample in it (a spike is not averaged away). */
    stepMs: z.number().int().min(60_000),
    fingerprints: z.array(z.string().min(1).max(128)).max(500).optional(),
  })
  .strict()
  .refine((q) => (q.window.to.getTime() - q.window.from.getTime()) / q.stepMs <= 1000, {
    message: 'at most 1000 steps per window',
    path: ['stepMs'],
  });

export type AlertSamplesQuery = z.input<typeof alertSamplesQuerySchema>;

export const alertHistoryQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    limit: z.number().int().positive().max(1000).default(100),
  })
  .strict();

export type AlertHistoryQuery = z.input<typeof alertHistoryQuerySchema>;

export interface AlertInstance {
  fingerprint: string;
  name: string;
  kind: 'slo' | 'rule' | 'budget';
  severity: 'page' | 'ticket';
  state: string;
  since: string;
  firedAt: string | null;
  evaluatedAt: string;
  labels: Record<string, string>;
  observed: AlertObservation;
}

export interface AlertSample {
  /** Start of the step. */
  at: string;
  value: number | null;
}

export interface AlertHistory {
  events: { at: string; name: string; severity: string; from: string; to: string }[];
  silences: {
    id: string;
    matchers: Record<string, string>;
    startsAt: string;
    endsAt: string;
    comment: string | null;
    active: boolean;
  }[];
  notifications: {
    at: string;
    kind: string;
    severity: string;
    channel: string;
    target: string;
    status: string;
    attempts: number;
    lastError: string | null;
    sentAt: string | null;
    /** What a Slack message said; null for webhook deliveries. */
    text: string | null;
  }[];
  hookCalls: {
    at: string;
    deployment: string;
    hook: string;
    attempt: number;
    statusCode: number | null;
    ok: boolean;
    error: string | null;
    durationMs: number;
  }[];
  judgements: { at: string; deployment: string; verdict: string; score: number | null; reason: string }[];
}

/** The alert engine's instances and their state (what the engine last saw in `observed`). */
export async function readAlerts(pool: pg.Pool, caller: Caller, input: AlertsQuery): Promise<AlertInstance[]> {
  const q = alertsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select fingerprint, alert_name, kind, severity, state, since, fired_at, evaluated_at, labels, observed from alert_instances
        where project_id = $1 ${q.activeOnly ? `and state in ('pending', 'firing', 'recovering', 'nodata', 'error')` : ''}
        order by case state when 'firing' then 0 when 'recovering' then 1 when 'pending' then 2 when 'error' then 3 when 'nodata' then 4 else 5 end,
                 severity, alert_name`,
      [q.projectId],
    );
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      name: r.alert_name,
      kind: r.kind,
      severity: r.severity,
      state: r.state,
      since: r.since.toISOString(),
      firedAt: r.fired_at?.toISOString() ?? null,
      evaluatedAt: r.evaluated_at.toISOString(),
      labels: r.labels,
      observed: r.observed,
    }));
  });
}

/** What the engine measured per instance over the window (burn rate for SLOs), highest per step. */
export async function readAlertSamples(
  pool: pg.Pool,
  caller: Caller,
  input: AlertSamplesQuery,
): Promise<Record<string, AlertSample[]>> {
  const q = alertSamplesQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query<{ fingerprint: string; step: number; value: number | null }>(
      `select fingerprint, floor(extract(epoch from at - $2::timestamptz) * 1000 / $4)::int as step, max(value) as value from alert_samples
        where project_id = $1 and at >= $2 and at < $3 and ($5::text[] is null or fingerprint = any($5))
        group by 1, 2 order by 1, 2`,
      [q.projectId, q.window.from, q.window.to, q.stepMs, q.fingerprints ?? null],
    );
    const series: Record<string, AlertSample[]> = {};
    for (const row of rows)
      (series[row.fingerprint] ??= []).push({
        at: new Date(q.window.from.getTime() + row.step * q.stepMs).toISOString(),
        value: row.value,
      });
    return series;
  });
}

/** The alert timeline, silences, and the delivery logs of notifications, rollback hooks and judgements. */
export async function readAlertHistory(pool: pg.Pool, caller: Caller, input: AlertHistoryQuery): Promise<AlertHistory> {
  const q = alertHistoryQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const p = [q.projectId, q.limit];
    // One client, so one query at a time.
    const events = await client.query(
      `select e.at, i.alert_name, i.severity, e.from_state, e.to_state from alert_events e
         join alert_instances i on i.project_id = e.project_id and i.fingerprint = e.fingerprint
        where e.project_id = $1 order by e.at desc, e.id desc limit $2`,
      p,
    );
    const silences = await client.query(
      `select id, matchers, starts_at, ends_at, comment, (starts_at <= now() and ends_at > now()) as active from alert_silences where project_id = $1 order by ends_at desc limit $2`,
      p,
    );
    const notifications = await client.query(
      `select created_at, kind, severity, channel, target, status, attempts, last_error, sent_at, ${SLACK_TEXT_SQL} as text
         from alert_notifications where project_id = $1 order by id desc limit $2`,
      p,
    );
    const hookCalls = await client.query(
      `select c.started_at, d.name, c.hook, c.attempt, c.status_code, c.ok, c.error, c.duration_ms from rollback_hook_calls c
         join rollbacks r on r.id = c.rollback_id join deployments d on d.id = r.deployment_id
        where c.project_id = $1 order by c.started_at desc, c.id desc limit $2`,
      p,
    );
    const judgements = await client.query(
      `select j.at, d.name, j.verdict, j.score::float8 as score, j.reason from canary_judgements j join deployments d on d.id = j.deployment_id
        where j.project_id = $1 order by j.at desc, j.id desc limit $2`,
      p,
    );
    return {
      events: events.rows.map((r) => ({
        at: r.at.toISOString(),
        name: r.alert_name,
        severity: r.severity,
        from: r.from_state,
        to: r.to_state,
      })),
      silences: silences.rows.map((r) => ({
        id: r.id,
        matchers: r.matchers,
        startsAt: r.starts_at.toISOString(),
        endsAt: r.ends_at.toISOString(),
        comment: r.comment,
        active: r.active,
      })),
      notifications: notifications.rows.map((r) => ({
        at: r.created_at.toISOString(),
        kind: r.kind,
        severity: r.severity,
        channel: r.channel,
        target: r.target,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        sentAt: r.sent_at?.toISOString() ?? null,
        text: r.text,
      })),
      hookCalls: hookCalls.rows.map((r) => ({
        at: r.started_at.toISOString(),
        deployment: r.name,
        hook: r.hook,
        attempt: r.attempt,
        statusCode: r.status_code,
        ok: r.ok,
        error: r.error,
        durationMs: r.duration_ms,
      })),
      judgements: judgements.rows.map((r) => ({
        at: r.at.toISOString(),
        deployment: r.name,
        verdict: r.verdict,
        score: r.score,
        reason: r.reason,
      })),
    };
  });
}
