// The notification outbox. Rows are written in the transaction that changes an alert's state, so
// a notification exists exactly when its transition does; delivery claims rows with SKIP LOCKED
// and a lease (not_before pushed ahead), so two engines never send one row at the same time, and a
// crashed sender's rows become claimable again when the lease runs out.

import type pg from 'pg';
import type { AlertsConfig, Severity } from '../config/schema.ts';
import { ALL_TENANTS } from '@vigil/core';
import { type DeploymentNotice, deploymentMessage, type SlackMessage, groupedMessage } from '../slack/message.ts';
import type { SlackSender } from '../slack/sender.ts';
import type { SendOutcome } from '../delivery.ts';
import { type WebhookAlert, webhookPayload } from '../webhook/payload.ts';
import type { WebhookSender } from '../webhook/sender.ts';

export interface OutboxRow {
  projectId: string;
  tenantId: string;
  fingerprint: string | null;
  kind: 'firing' | 'resolved' | 'nodata' | 'error' | 'repeat' | 'rollback' | 'verdict';
  severity: Severity;
  status: 'pending' | 'silenced' | 'inhibited';
  message: SlackMessage;
  /** The alert as webhook receivers see it; rollbacks and verdicts, which are not alerts, have none. */
  alert?: WebhookAlert;
}

export interface Senders {
  slack: SlackSender;
  webhook: WebhookSender;
}

type SlackPayload = { message: SlackMessage };
/** A Slack row's message text, from its payload (the SlackPayload above), for reads of the delivery log. */
export const SLACK_TEXT_SQL = `case when channel = 'slack' then payload #>> '{message,text}' end`;
type WebhookRowPayload = { alert: WebhookAlert; receiver: string; maxAlerts: number; externalURL: string };

const LEASE_S = 60;

export interface NotificationRoute {
  channel: 'slack' | 'webhook';
  name: string;
  /** The environment variable that holds the URL (a secret, resolved at send time). */
  urlEnv: string;
  severities: Severity[];
  sendResolved: boolean;
  maxAlerts: number;
}

/** Where a project's notifications go: its Slack webhooks and webhook receivers. */
export function notificationRoutes(config: AlertsConfig, projectName: string): NotificationRoute[] {
  const forProject = (project: string | undefined) => project === undefined || project === projectName;
  return [
    ...config.slack
      .filter((s) => forProject(s.project))
      .map((s) => ({
        channel: 'slack' as const,
        name: 'slack',
        urlEnv: s.webhookUrlEnv,
        severities: s.severities,
        sendResolved: true,
        maxAlerts: 0,
      })),
    ...config.webhooks
      .filter((w) => forProject(w.project))
      .map((w) => ({
        channel: 'webhook' as const,
        name: w.name,
        urlEnv: w.urlEnv,
        severities: w.severities,
        sendResolved: w.sendResolved,
        maxAlerts: w.maxAlerts,
      })),
  ];
}

/**
 * Times in the outbox are the engine's clock (nowMs), not the database's: a replay of the past
 * (the demo's day five) enqueues and delivers at the times it walks through.
 */
export async function enqueue(
  client: pg.ClientBase | pg.Pool,
  config: AlertsConfig,
  projectName: string,
  row: OutboxRow,
  nowMs: number = Date.now(),
): Promise<number> {
  // Held for groupWait, so that the alerts of one incident leave together as one message.
  const waitS = row.kind === 'rollback' ? 0 : config.engine.groupWait / 1000;
  const deliveries: {
    channel: NotificationRoute['channel'];
    target: string;
    payload: SlackPayload | WebhookRowPayload;
  }[] = [];
  for (const route of notificationRoutes(config, projectName)) {
    if (!route.severities.includes(row.severity)) continue;
    if (route.channel === 'slack')
      deliveries.push({ channel: 'slack', target: route.urlEnv, payload: { message: row.message } });
    // Webhook receivers take alerts only (rollbacks and verdicts are not), resolutions if they asked.
    else if (row.alert && (row.alert.status !== 'resolved' || route.sendResolved)) {
      deliveries.push({
        channel: 'webhook',
        target: route.urlEnv,
        payload: {
          alert: row.alert,
          receiver: route.name,
          maxAlerts: route.maxAlerts,
          externalURL: config.engine.dashboardUrl,
        },
      });
    }
  }
  for (const { channel, target, payload } of deliveries) {
    await client.query(
      `insert into alert_notifications (project_id, tenant_id, fingerprint, kind, severity, channel, target, status, payload, created_at, not_before)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11::timestamptz, $11::timestamptz + make_interval(secs => $10))`,
      [
        row.projectId,
        row.tenantId,
        row.fingerprint,
        row.kind,
        row.severity,
        channel,
        target,
        row.status,
        JSON.stringify(payload),
        waitS,
        new Date(nowMs),
      ],
    );
  }
  return deliveries.length;
}

/**
 * Something done to a deployment (rolled back, a step entered, a rollout held), for the whole
 * project: Slack hears it, and webhook receivers too when it comes as an alert.
 */
export function enqueueDeploymentNotice(
  db: pg.ClientBase | pg.Pool,
  config: AlertsConfig,
  projectId: string,
  notice: DeploymentNotice,
  severity: Severity,
  alert?: WebhookAlert,
  nowMs: number = Date.now(),
): Promise<number> {
  return enqueue(
    db,
    config,
    notice.project,
    {
      projectId,
      tenantId: ALL_TENANTS,
      fingerprint: null,
      kind: notice.kind === 'rollback' ? 'rollback' : 'verdict',
      severity,
      status: 'pending',
      message: deploymentMessage(notice),
      ...(alert ? { alert } : {}),
    },
    nowMs,
  );
}

export interface DispatchResult {
  sent: number;
  retrying: number;
  failed: number;
}

type ClaimedRow = {
  id: string;
  channel: string;
  target: string;
  project_id: string;
  severity: string;
  attempts: number;
  payload: SlackPayload | WebhookRowPayload;
};

/** Sends what is due. URLs are resolved from the environment at send time; they are secrets. */
export async function dispatch(
  pool: pg.Pool,
  senders: Senders,
  env: NodeJS.ProcessEnv = process.env,
  limit = 50,
  nowMs: number = Date.now(),
): Promise<DispatchResult> {
  const now = new Date(nowMs);
  const { rows } = await pool.query<ClaimedRow>(
    `update alert_notifications set attempts = attempts + 1, not_before = $3::timestamptz + make_interval(secs => $2)
      where id in (select id from alert_notifications where status = 'pending' and not_before <= $3::timestamptz
                    order by id limit $1 for update skip locked)
      returning id, channel, target, project_id, severity, attempts, payload`,
    [limit, LEASE_S, now],
  );
  const result: DispatchResult = { sent: 0, retrying: 0, failed: 0 };
  // Grouped by destination, project and severity: one message per group. Groups for one
  // destination go in order, one after another (its rate limit); destinations go in parallel.
  const byTarget = new Map<string, Map<string, ClaimedRow[]>>();
  for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
    const destination = `${row.channel}/${row.target}`;
    const groups = byTarget.get(destination) ?? new Map<string, ClaimedRow[]>();
    byTarget.set(destination, groups);
    const key = `${row.project_id}/${row.severity}/${'receiver' in row.payload ? row.payload.receiver : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const mark = async (ids: string[], sql: string, params: unknown[] = []) => {
    await pool.query(sql, [ids, ...params]);
  };
  const send = (url: string, group: ClaimedRow[], attempt: number): Promise<SendOutcome> => {
    const first = group[0]!;
    if (first.channel === 'slack')
      return senders.slack.send(url, groupedMessage(group.map((r) => (r.payload as SlackPayload).message)), attempt);
    const payloads = group.map((r) => r.payload as WebhookRowPayload);
    const { receiver, maxAlerts, externalURL } = payloads[0]!;
    const project = payloads[0]!.alert.labels.project ?? first.project_id;
    return senders.webhook.send(
      url,
      webhookPayload({
        receiver,
        groupLabels: { project, severity: first.severity },
        externalURL,
        alerts: payloads.map((p) => p.alert),
        maxAlerts,
      }),
      attempt,
    );
  };
  await Promise.all(
    [...byTarget.values()].map(async (groups) => {
      for (const group of groups.values()) {
        const { target } = group[0]!;
        const url = env[target];
        const ids = group.map((r) => r.id);
        if (!url) {
          await mark(
            ids,
            `update alert_notifications set status = 'failed', last_error = $2 where id = any($1::bigint[])`,
            [`environment variable ${target} is not set`],
          );
          result.failed += ids.length;
          continue;
        }
        const attempts = Math.max(...group.map((r) => r.attempts));
        const outcome = await send(url, group, attempts - 1);
        if (outcome.ok) {
          await mark(
            ids,
            `update alert_notifications set status = 'sent', sent_at = $2::timestamptz, last_error = null where id = any($1::bigint[])`,
            [now],
          );
          result.sent += ids.length;
        } else if (outcome.permanent) {
          await mark(
            ids,
            `update alert_notifications set status = 'failed', last_error = $2 where id = any($1::bigint[])`,
            [outcome.error],
          );
          result.failed += ids.length;
        } else {
          // Rate limited or the receiver down: kept, and tried again when it said (or after backoff).
          await mark(
            ids,
            `update alert_notifications set not_before = $4::timestamptz + make_interval(secs => $2), last_error = $3 where id = any($1::bigint[])`,
            [outcome.retryAfterMs / 1000, outcome.error, now],
          );
          result.retrying += ids.length;
        }
      }
    }),
  );
  return result;
}
