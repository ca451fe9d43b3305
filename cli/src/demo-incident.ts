// Day five of the demo's week, as the alert engine lived it: the canary recorded as a deploy
// pipeline would have, then the real engine ticking on a clock that walks through that afternoon,
// judging the canary on its spans, paging, posting to a Slack stand-in and rolling it back. Every
// row it writes (verdicts, alert events, notifications, the rollback, the audit trail) is the
// engine's own.

import { AlertEngine, parseAlertsConfig, recordDeployment, withProjectOverrides } from '@vigil/alerts';
import { findProject, MINUTE_MS } from '@vigil/core';
import type pg from 'pg';
import { pastIncident } from './demo-history.ts';
import { DEMO_SLACK_ENV, type SlackStandIn } from './demo-slack.ts';

export interface ReplayedIncident {
  deployment: string;
  verdict: string | null;
  rolledBackAt: Date | null;
  slackMessages: number;
}

/** Replays with the demo's config (its overrides, with their Slack route to `slack`). */
export async function replayPastIncident(
  pool: pg.Pool,
  nowMs: number,
  slack: SlackStandIn,
  log: (message: string) => void,
): Promise<ReplayedIncident> {
  const incident = pastIncident(nowMs);
  const project = await findProject(pool, 'demo');
  if (!project) throw new Error('no project named "demo" to replay the incident in');
  await recordDeployment(pool, project.id, {
    name: incident.deployment,
    baseline: incident.baseline,
    weight: Math.round(incident.weight * 100),
    source: 'api',
    startedAt: new Date(incident.fromMs),
  });
  const before = slack.messages.length;
  const config = await withProjectOverrides(pool, parseAlertsConfig({}), log);
  const clock = { now: incident.fromMs };
  const engine = new AlertEngine({
    pool,
    config: () => config,
    env: { [DEMO_SLACK_ENV]: slack.url },
    now: () => clock.now,
    log,
  });
  // Each minute through the hour the canary ran, then every five until its alerts have cleared.
  const end = incident.toMs + 3 * 60 * MINUTE_MS;
  while (clock.now < end) {
    clock.now += clock.now < incident.toMs ? MINUTE_MS : 5 * MINUTE_MS;
    while ((await engine.tick()).skipped) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { rows } = await pool.query<{ verdict: string | null; ended_at: Date | null; state: string }>(
    `select verdict, ended_at, state from deployments where project_id = $1 and name = $2`,
    [project.id, incident.deployment],
  );
  const row = rows[0];
  return {
    deployment: incident.deployment,
    verdict: row?.verdict ?? null,
    rolledBackAt: row?.state === 'rolled_back' ? row.ended_at : null,
    slackMessages: slack.messages.length - before,
  };
}
