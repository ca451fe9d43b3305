// The notification outbox. Rows are written in the transaction that changes an alert's state, so
// a notification exists exactly when its transition does; delivery claims rows with SKIP LOCKED
// and a lease (not_before pushed ahead), so two engines never send one row at the same time, and a
// crashed sender's rows become claimable again when the lease runs out.

import type pg from 'pg';
import type { AlertsConfig, Severity } from '../config/schema.ts';
import { type SlackMessage, groupedMessage } from '../slack/message.ts';
import type { SlackSender } from '../slack/sender.ts';

export interface OutboxRow {
  projectId: string;
  tenantId: string;
  fingerprint: string | null;
  kind: 'firing' | 'resolved' | 'nodata' | 'error' | 'repeat' | 'rollback' | 'verdict';
  severity: Severity;
  status: 'pending' | 'silenced' | 'inhibited';
  message: SlackMessage;
}

const LEASE_S = 60;

/** The Slack targets (environment variable names) for a project and severity. */
export function slackTargets(config: AlertsConfig, projectName: string, severity: Severity): string[] {
  return config.slack.filter((s) => (s.project === undefined || s.project === projectName) && s.severities.includes(severity)).map((s) => s.webhookUrlEnv);
}

export async function enqueue(client: pg.ClientBase, config: AlertsConfig, projectName: string, row: OutboxRow): Promise<number> {
  const targets = slackTargets(config, projectName, row.severity);
  // Held for groupWait, so that the alerts of one incident leave together as one message.
  const waitS = row.kind === 'rollback' ? 0 : config.engine.groupWait / 1000;
  for (const target of targets) {
    await client.query(
      `insert into alert_notifications (project_id, tenant_id, fingerprint, kind, severity, channel, target, status, payload, not_before)
       values ($1, $2, $3, $4, $5, 'slack', $6, $7, $8, now() + make_interval(secs => $9))`,
      [row.projectId, row.tenantId, row.fingerprint, row.kind, row.severity, target, row.status, JSON.stringify({ message: row.message }), waitS],
    );
  }
  return targets.length;
}

export interface DispatchResult {
  sent: number;
  retrying: number;
  failed: number;
}

/** Sends what is due. Webhooks are resolved from the environment at send time; the URL is a secret. */
export async function dispatch(pool: pg.Pool, sender: SlackSender, env: NodeJS.ProcessEnv = process.env, limit = 50): Promise<DispatchResult> {
  const { rows } = await pool.query<{ id: string; target: string; project_id: string; severity: string; attempts: number; payload: { message: SlackMessage } }>(
    `update alert_notifications set attempts = attempts + 1, not_before = now() + make_interval(secs => $2)
      where id in (select id from alert_notifications where status = 'pending' and not_before <= now()
                    order by id limit $1 for update skip locked)
      returning id, target, project_id, severity, attempts, payload`,
    [limit, LEASE_S],
  );
  const result: DispatchResult = { sent: 0, retrying: 0, failed: 0 };
  // Grouped by webhook, project and severity: one message per group. Groups for one webhook go in
  // order, one after another (its rate limit); webhooks go in parallel.
  const byTarget = new Map<string, Map<string, typeof rows>>();
  for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
    const groups = byTarget.get(row.target) ?? new Map<string, typeof rows>();
    byTarget.set(row.target, groups);
    const key = `${row.project_id}/${row.severity}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const mark = async (ids: string[], sql: string, params: unknown[] = []) => {
    await pool.query(sql, [ids, ...params]);
  };
  await Promise.all(
    [...byTarget.entries()].map(async ([target, groups]) => {
      const url = env[target];
      for (const group of groups.values()) {
        const ids = group.map((r) => r.id);
        if (!url) {
          await mark(ids, `update alert_notifications set status = 'failed', last_error = $2 where id = any($1::bigint[])`, [`environment variable ${target} is not set`]);
          result.failed += ids.length;
          continue;
        }
        const attempts = Math.max(...group.map((r) => r.attempts));
        const outcome = await sender.send(url, groupedMessage(group.map((r) => r.payload.message)), attempts - 1);
        if (outcome.ok) {
          await mark(ids, `update alert_notifications set status = 'sent', sent_at = now(), last_error = null where id = any($1::bigint[])`);
          result.sent += ids.length;
        } else if (outcome.permanent) {
          await mark(ids, `update alert_notifications set status = 'failed', last_error = $2 where id = any($1::bigint[])`, [outcome.error]);
          result.failed += ids.length;
        } else {
          // Rate limited or Slack down: kept, and tried again when Slack said (or after backoff).
          await mark(ids, `update alert_notifications set not_before = now() + make_interval(secs => $2), last_error = $3 where id = any($1::bigint[])`, [outcome.retryAfterMs / 1000, outcome.error]);
          result.retrying += ids.length;
        }
      }
    }),
  );
  return result;
}
