// The demo's past week, sent through a real collector: seven days of the example app's traffic on a
// daily curve across eight tenants, stored, priced and rolled up like live spans, with day five's
// canary in it.

import { createIngestKey, createProject, readMetrics, SERVICE_CALLER, compactRollups } from '@vigil/core';
import { startCollector, type RunningCollector } from '@vigil/collector';
import { COLLECTOR_TEST_SETTINGS, createTestDatabase, type TestDatabase } from '@vigil/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_DAYS, pastIncident, sendDemoHistory } from '../src/demo-history.ts';
import { replayPastIncident } from '../src/demo-incident.ts';
import { demoAlerts } from '../src/demo.ts';
import { startSlackStandIn } from '../src/demo-slack.ts';

const DAY = 86_400_000;
const now = Date.now();

let db: TestDatabase;
let collector: RunningCollector;
let projectId: string;
let sent: number;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'demo')).id;
  const key = (await createIngestKey(db.pool, 'demo')).key;
  collector = await startCollector({ ...COLLECTOR_TEST_SETTINGS, VIGIL_COMPACT_INTERVAL_MS: 0 }, db.pool);
  sent = await sendDemoHistory(collector.url, key, now, now);
  await compactRollups(db.pool, { nowMs: now });
}, 180_000);

afterAll(async () => {
  await collector?.close();
  await db?.drop();
});

describe('the demo history', () => {
  it('is stored exactly as sent: every span acknowledged is in Postgres', async () => {
    const { rows } = await db.pool.query(`select count(*)::int as n from spans where project_id = $1`, [projectId]);
    expect(rows[0].n).toBe(sent);
    expect(sent).toBeGreaterThan(20_000);
  });

  it('draws a week of daily curves across eight tenants from the rollups', async () => {
    const week = { from: new Date(Math.floor((now - HISTORY_DAYS * DAY) / DAY) * DAY), to: new Date(now) };
    const byDay = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window: week,
      stepMs: DAY,
      filters: { category: ['model'] },
      quantiles: [],
    });
    expect(byDay.length).toBeGreaterThanOrEqual(HISTORY_DAYS);
    expect(byDay.every((p) => p.costUsd > 0)).toBe(true);
    const tenants = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window: week,
      groupBy: ['tenant_id'],
      quantiles: [],
    });
    expect(tenants.map((p) => p.group.tenant_id).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((t) => `tenant-${t}`));
    // Afternoons are busier than nights (UTC), on every whole day.
    const hourly = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window: { from: new Date(week.from.getTime() + DAY), to: new Date(week.from.getTime() + 2 * DAY) },
      stepMs: 3_600_000,
      quantiles: [],
    });
    const at = (hour: number) => hourly.find((p) => new Date(p.bucket!).getUTCHours() === hour)?.requests ?? 0;
    expect(at(14)).toBeGreaterThan(2 * at(2));
    // The semantic cache answers part of the questions.
    const [all] = await readMetrics(db.pool, SERVICE_CALLER, { projectId, window: week, quantiles: [] });
    expect(all!.cache.hitRatio).toBeGreaterThan(0.2);
    expect(all!.cache.hitRatio).toBeLessThan(0.5);
  });

  it('replays day five through the real alert engine: the canary failed, was rolled back, and Slack heard of it', async () => {
    const incident = pastIncident(now);
    // With the demo's own config (its SLOs and its Slack route) and its Slack stand-in.
    await demoAlerts(db.pool);
    const slack = await startSlackStandIn();
    const replayed = await replayPastIncident(db.pool, now, slack, () => {}).finally(() => slack.close());
    expect(slack.messages.some((m) => /v1\.1-canary/.test(m.text))).toBe(true);
    expect(replayed.verdict).toBe('fail');
    expect(replayed.rolledBackAt!.getTime()).toBeGreaterThan(incident.fromMs);
    expect(replayed.rolledBackAt!.getTime()).toBeLessThanOrEqual(incident.toMs);
    expect(replayed.slackMessages).toBeGreaterThan(0);
    // Recorded as the engine records them: the judgements, the rollback, the notifications
    // delivered to the stand-in.
    const { rows } = await db.pool.query(
      `select (select count(*)::int from canary_judgements j join deployments d on d.id = j.deployment_id where d.name = $1) as judgements,
              (select count(*)::int from rollbacks r join deployments d on d.id = r.deployment_id where d.name = $1) as rollbacks,
              (select count(*)::int from alert_notifications where status = 'sent') as sent`,
      [incident.deployment],
    );
    expect(rows[0].judgements).toBeGreaterThan(0);
    expect(rows[0].rollbacks).toBe(1);
    expect(rows[0].sent).toBeGreaterThan(0);
  });

  it('has day five’s canary: slower, costlier and failing more than its baseline over the hour it ran', async () => {
    const incident = pastIncident(now);
    const points = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window: { from: new Date(incident.fromMs), to: new Date(incident.toMs) },
      filters: { category: ['model'] },
      groupBy: ['deployment'],
      quantiles: [0.95],
    });
    const canary = points.find((p) => p.group.deployment === incident.deployment)!;
    const baseline = points.find((p) => p.group.deployment === incident.baseline)!;
    expect(canary.modelCalls).toBeGreaterThan(100);
    expect(canary.ttftMs.mean!).toBeGreaterThan(4 * baseline.ttftMs.mean!);
    expect(canary.costUsd / canary.modelCalls).toBeGreaterThan(5 * (baseline.costUsd / baseline.modelCalls));
    expect(canary.errorRate!).toBeGreaterThan(baseline.errorRate!);
  });
});
