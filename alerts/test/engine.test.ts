// The engine against a real database, Slack-like and hook-receiving local servers: burn alerts fire
// and resolve once, survive a restart without re-sending, are silenced and inhibited as told, stay
// quiet at low traffic; two engines racing never double-notify or double-roll-back.

import { readAlertSamples } from '../src/index.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bulkLoadSpans, createProject, readBudgets, readCostSli, SERVICE_CALLER } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { parseAlertsConfig } from '../src/config/load.ts';
import type { AlertsConfig } from '../src/config/schema.ts';
import { AlertEngine } from '../src/engine/engine.ts';
import { rollBack } from '../src/hooks/rollback.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type HookReceivers, startHookReceivers } from './support/hook-receivers.ts';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from './support/fake-webhook-receiver.ts';
import { loadTraffic, modelCalls } from './support/traffic.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SECRET = 'whsec-test-secret';
const GITHUB_TOKEN = 'ghp-test-token';

let db: TestDatabase;
let slack: FakeSlack;
let hooks: HookReceivers;
let pager: FakeWebhookReceiver;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = await startFakeSlack();
  hooks = await startHookReceivers(SECRET, GITHUB_TOKEN);
  pager = await startFakeWebhookReceiver();
  env = {
    SLACK_ONCALL: slack.url('T1/B1/oncall'),
    ROLLBACK_SECRET: SECRET,
    GITHUB_TOKEN,
    PAGER_URL: pager.url('/pager'),
  };
});

afterAll(async () => {
  await slack.close();
  await hooks.close();
  await pager.close();
  await db.drop();
});

beforeEach(() => {
  slack.received.length = 0;
});

function config(project: string, extra: Record<string, unknown> = {}): AlertsConfig {
  return parseAlertsConfig({
    slos: [
      {
        name: 'chat-errors',
        project,
        objective: 99.9,
        selector: { service: 'chat-api' },
        sli: { kind: 'errors' },
        minEvents: 20,
      },
    ],
    slack: [{ webhookUrlEnv: 'SLACK_ONCALL' }],
    rollbackHooks: [
      { type: 'webhook', name: 'deployer', url: `${hooks.url}/rollback`, secretEnv: 'ROLLBACK_SECRET', retries: 2 },
      { type: 'github', name: 'gh', repository: 'acme/chat', tokenEnv: 'GITHUB_TOKEN', apiUrl: hooks.url },
      { type: 'flag', name: 'kill-switch', url: `${hooks.url}/flags/new-model` },
    ],
    ...extra,
  });
}

function engineAt(cfg: AlertsConfig, clock: { now: number }): AlertEngine {
  return new AlertEngine({ pool: db.pool, config: () => cfg, env, now: () => clock.now });
}

async function notifications(projectId: string) {
  const { rows } = await db.pool.query(
    `select kind, severity, status from alert_notifications where project_id = $1 order by id`,
    [projectId],
  );
  return rows.map((r) => `${r.kind}/${r.severity}/${r.status}`);
}

describe('alert engine', () => {
  it('pages once on a fast burn, notifies the ticket as inhibited, and resolves once when the errors stop', async () => {
    const projectId = (await createProject(db.pool, 'burn')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    const cfg = config('burn');
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 3 * HOUR, toMs: clock.now - 10 * MINUTE, count: 3000 });
    const engine = engineAt(cfg, clock);

    const quiet = await engine.tick();
    expect(quiet.transitions).toEqual([]);
    expect(await notifications(projectId)).toEqual([]);

    // Ten minutes of 30% errors: the 1h and 5m windows both burn far above 14.4×.
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 10 * MINUTE,
      toMs: clock.now,
      count: 600,
      errorRate: 0.3,
      seed: 2,
    });
    const burning = await engine.tick();
    expect(burning.transitions.map((t) => `${t.severity}:${t.from}→${t.to}`).sort()).toEqual([
      'page:normal→firing',
      'ticket:normal→firing',
    ]);
    expect(await notifications(projectId)).toEqual(['firing/page/sent', 'firing/ticket/inhibited']);
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.body.text).toMatch(/FIRING \[PAGE\] chat-errors/);

    // Still burning ten seconds later: nothing new is said.
    clock.now += 10_000;
    expect((await engine.tick()).transitions).toEqual([]);

    // The errors stopped. Six minutes on, the 1h/5m pair is clean but the 6h/30m pair still sees
    // them in its 30-minute window: the page keeps firing, as the Workbook's windows intend.
    clock.now += 6 * MINUTE;
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 6 * MINUTE, toMs: clock.now, count: 300, seed: 3 });
    expect((await engine.tick()).transitions).toEqual([]);
    // Thirty-one minutes on, the page resolves; the ticket (2h and 6h windows) still fires, and now
    // that no page inhibits it, it is announced.
    clock.now += 25 * MINUTE;
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 25 * MINUTE, toMs: clock.now, count: 1200, seed: 4 });
    const resolved = await engine.tick();
    expect(resolved.transitions.map((t) => `${t.severity}:${t.to}`)).toEqual(['page:resolved']);
    expect((await notifications(projectId)).slice(2)).toEqual(['resolved/page/sent', 'firing/ticket/sent']);
    expect(slack.received.map((m) => m.body.text!.slice(0, 20))).toEqual([
      expect.stringMatching(/^FIRING \[PAGE/),
      expect.stringMatching(/^RESOLVED \[PAGE/),
      expect.stringMatching(/^FIRING \[TICKET/),
    ]);

    // A new engine (a restart) finds the state in the database and says nothing again.
    const restarted = await engineAt(cfg, clock).tick();
    expect(restarted.transitions).toEqual([]);
    expect(await notifications(projectId)).toHaveLength(4);
  });

  it('samples each instance once a minute (an SLO burn rate) for the sparklines, and keeps 8 days', async () => {
    const projectId = (await createProject(db.pool, 'sampled')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 3 * HOUR, toMs: clock.now - 10 * MINUTE, count: 3000 });
    await db.pool.query(`insert into alert_samples (project_id, fingerprint, at, value) values ($1, 'old', $2, 1)`, [
      projectId,
      new Date(clock.now - 9 * 24 * HOUR),
    ]);
    const engine = engineAt(config('sampled'), clock);
    const page = async () =>
      (
        await db.pool.query(
          `select fingerprint, observed from alert_instances where project_id = $1 and severity = 'page'`,
          [projectId],
        )
      ).rows[0];
    const samples = async () =>
      (
        await db.pool.query(
          `select fingerprint, at, value from alert_samples where project_id = $1 order by fingerprint, at`,
          [projectId],
        )
      ).rows;

    await engine.tick();
    const quiet = (await page()).observed.windows[0].longBurn;
    // The later tick in the same minute overwrites that minute's sample.
    clock.now += 10_000;
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 10 * MINUTE,
      toMs: clock.now,
      count: 600,
      errorRate: 0.3,
      seed: 2,
    });
    await engine.tick();
    const burning = (await page()).observed.windows[0].longBurn;
    clock.now += MINUTE;
    await engine.tick();
    const { fingerprint } = await page();
    const mine = (await samples()).filter((r) => r.fingerprint === fingerprint);
    expect(mine.map((r) => r.at.getTime())).toEqual([clock.now - MINUTE - 10_000, clock.now - 10_000]);
    expect(mine[0].value).toBeCloseTo(burning, 9);
    expect(quiet).toBeLessThan(1);
    expect(burning).toBeGreaterThan(14.4);
    // Page and ticket of the SLO, two minutes each; the 9-day-old sample is gone.
    expect((await samples()).map((r) => r.fingerprint)).not.toContain('old');
    expect(await samples()).toHaveLength(4);

    const window = { from: new Date(clock.now - HOUR), to: new Date(clock.now + MINUTE) };
    const series = await readAlertSamples(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      stepMs: 5 * MINUTE,
      fingerprints: [fingerprint],
    });
    expect(Object.keys(series)).toEqual([fingerprint]);
    expect(series[fingerprint]!.reduce((max, s) => Math.max(max, s.value ?? 0), 0)).toBeCloseTo(
      Math.max(mine[0].value, mine[1].value),
      9,
    );
    // Project-wide alerts are not a tenant's to see.
    expect(
      await readAlertSamples(
        db.pool,
        { role: 'authenticated', projectId, tenantId: 'tenant-0' },
        { projectId, window, stepMs: MINUTE },
      ),
    ).toEqual({});
    expect(
      Object.keys(
        await readAlertSamples(db.pool, { role: 'authenticated', projectId }, { projectId, window, stepMs: MINUTE }),
      ),
    ).toHaveLength(2);
  });

  it('writes config budgets where the cost table reads them, and removes them with the config', async () => {
    const projectId = (await createProject(db.pool, 'budgeted')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await db.pool.query(`insert into budgets (project_id, tenant_id, monthly_usd) values ($1, 'tenant-9', 5)`, [
      projectId,
    ]);
    const budgets = {
      budgets: [
        { name: 'all', project: 'budgeted', monthlyUsd: 500 },
        { name: 'acme', project: 'budgeted', tenant: 'acme', monthlyUsd: 40 },
      ],
    };
    await engineAt(config('budgeted', budgets), clock).tick();
    const shown = async () =>
      (await readBudgets(db.pool, SERVICE_CALLER, { projectId })).budgets
        .map((b) => `${b.tenantId}=${b.monthlyUsd}`)
        .sort();
    expect(await shown()).toEqual(['*=500', 'acme=40', 'tenant-9=5']);
    // A changed amount is written over; a budget the config drops goes, one set through the API stays.
    await engineAt(
      config('budgeted', { budgets: [{ name: 'acme', project: 'budgeted', tenant: 'acme', monthlyUsd: 60 }] }),
      clock,
    ).tick();
    expect(await shown()).toEqual(['acme=60', 'tenant-9=5']);
    await engineAt(config('budgeted'), clock).tick();
    expect(await shown()).toEqual(['tenant-9=5']);
  });

  it('tells an Alertmanager-style webhook receiver of a page and of its resolution', async () => {
    const projectId = (await createProject(db.pool, 'hooked')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    const cfg = config('hooked', { webhooks: [{ name: 'pager', urlEnv: 'PAGER_URL', severities: ['page'] }] });
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 3 * HOUR, toMs: clock.now - 10 * MINUTE, count: 3000 });
    const engine = engineAt(cfg, clock);
    await engine.tick();
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 10 * MINUTE,
      toMs: clock.now,
      count: 600,
      errorRate: 0.3,
      seed: 2,
    });
    await engine.tick();
    const { rows } = await db.pool.query(
      `select fingerprint from alert_instances where project_id = $1 and severity = 'page'`,
      [projectId],
    );
    // Only the page: the receiver takes page severity, and the ticket is inhibited anyway.
    expect(pager.received).toHaveLength(1);
    const firing = pager.received[0]!.body;
    expect(firing).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'pager',
      truncatedAlerts: 0,
      groupLabels: { project: 'hooked', severity: 'page' },
      externalURL: 'http://127.0.0.1:3001',
    });
    expect(firing.commonLabels).toMatchObject({
      alertname: 'chat-errors',
      project: 'hooked',
      severity: 'page',
      service: 'chat-api',
      sli: 'errors',
    });
    expect(firing.alerts).toEqual([
      expect.objectContaining({
        status: 'firing',
        fingerprint: rows[0].fingerprint,
        endsAt: '0001-01-01T00:00:00Z',
        startsAt: new Date(clock.now).toISOString(),
      }),
    ]);
    expect(firing.alerts[0].annotations.summary).toMatch(/^chat-errors: no errors for 99.9% over 30d/);
    expect(firing.alerts[0].generatorURL).toContain(rows[0].fingerprint);

    // The errors stop; 31 minutes on, the page resolves and the receiver hears so.
    clock.now += 31 * MINUTE;
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 31 * MINUTE, toMs: clock.now, count: 1500, seed: 4 });
    await engine.tick();
    expect(pager.received).toHaveLength(2);
    expect(pager.received[1]!.body).toMatchObject({
      status: 'resolved',
      alerts: [{ status: 'resolved', fingerprint: rows[0].fingerprint, endsAt: new Date(clock.now).toISOString() }],
    });
  });

  it('pages on expensive calls against a cost SLO, counting every window afresh each tick', async () => {
    const projectId = (await createProject(db.pool, 'costly')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    const cfg = parseAlertsConfig({
      slos: [{ name: 'chat-cost', project: 'costly', objective: 99, sli: { kind: 'cost_per_request', maxUsd: 0.01 } }],
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 3 * HOUR,
      toMs: clock.now - 10 * MINUTE,
      count: 3000,
      costUsd: 0.001,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 10 * MINUTE,
      toMs: clock.now,
      count: 300,
      costUsd: 0.05,
      seed: 2,
    });
    const engine = engineAt(cfg, clock);
    const fired = await engine.tick();
    expect(fired.transitions.map((t) => `${t.severity}:${t.to}`)).toContain('page:firing');
    const page = async () =>
      (
        await db.pool.query(`select observed from alert_instances where project_id = $1 and severity = 'page'`, [
          projectId,
        ])
      ).rows[0].observed;
    const first = await page();
    expect(first.periodEvents).toBe(3300);

    // Ten seconds on, 100 more calls: the 1 h window and the 30-day period both count them at once
    // (from the rollups' cost distributions; no window lags behind a shorter one).
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now,
      toMs: clock.now + 5_000,
      count: 100,
      costUsd: 0.001,
      seed: 3,
    });
    clock.now += 10_000;
    await engine.tick();
    const second = await page();
    const hour = await readCostSli(db.pool, SERVICE_CALLER, {
      projectId,
      window: { from: new Date(clock.now - HOUR), to: new Date(clock.now) },
      filters: { category: ['model'] },
      maxUsd: 0.01,
    });
    expect(second.windows[0].longEvents).toBe(hour.total);
    expect(second.windows[0].longEvents).toBeGreaterThan(first.windows[0].longEvents);
    expect(second.periodEvents).toBe(3400);
  });

  it('opens a ticket when the share of priced calls falls under a cost_coverage rule, and not before', async () => {
    const projectId = (await createProject(db.pool, 'coverage-rule')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    const cfg = parseAlertsConfig({
      rules: [
        {
          name: 'prices-missing',
          project: 'coverage-rule',
          metric: 'cost_coverage',
          op: '<',
          threshold: 0.99,
          window: '30m',
          minEvents: 50,
        },
      ],
    });
    await loadTraffic(db.pool, { projectId, fromMs: clock.now - 20 * MINUTE, toMs: clock.now, count: 400, seed: 8 });
    const engine = engineAt(cfg, clock);
    await engine.tick();
    const observed = async () =>
      (await db.pool.query(`select state, observed from alert_instances where project_id = $1`, [projectId])).rows[0];
    expect(await observed()).toMatchObject({ state: 'normal', observed: { metric: 'cost_coverage', value: 1 } });
    // A new model nobody priced: 100 of the next 500 calls have no cost.
    const unpriced = modelCalls({ projectId, fromMs: clock.now, toMs: clock.now + 5 * MINUTE, count: 100, seed: 9 });
    await bulkLoadSpans(
      db.pool,
      unpriced.map((s) => ({ ...s, model: 'acme-ft-9', costUsd: null, costSource: null })),
    );
    clock.now += 6 * MINUTE;
    await engine.tick();
    const firing = await observed();
    expect(firing.state).toBe('firing');
    expect(firing.observed.value).toBeCloseTo(400 / 500, 9);
  });

  it('counts a cache_hit_ratio SLO from the lookups that said, and fires a rule when the cache stops serving', async () => {
    const projectId = (await createProject(db.pool, 'cache-rule')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    // Cache lookups on /api/chat: 80% hits, and some that do not say (counted in neither).
    const lookups = (fromMs: number, toMs: number, count: number, hitsOf10: number, seed: number) =>
      modelCalls({ projectId, fromMs, toMs, count, seed }).map((s, i) => ({
        ...s,
        name: 'cache.get semantic',
        category: 'cache' as const,
        model: null,
        provider: null,
        ttftMs: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        costSource: null,
        cacheHit: i % 20 === 19 ? null : i % 10 < hitsOf10,
      }));
    await bulkLoadSpans(db.pool, lookups(clock.now - 20 * MINUTE, clock.now, 400, 8, 21));
    const cfg = parseAlertsConfig({
      slos: [{ name: 'cache-serves', project: 'cache-rule', objective: 60, sli: { kind: 'cache_hit_ratio' } }],
      rules: [
        {
          name: 'cache-cold',
          project: 'cache-rule',
          metric: 'cache_hit_ratio',
          op: '<',
          threshold: 0.5,
          window: '30m',
          minEvents: 50,
        },
      ],
    });
    const { countSloEvents } = await import('../src/slo/slo-events.ts');
    const window = { from: new Date(clock.now - 30 * MINUTE), to: new Date(clock.now) };
    const { rows } = await db.pool.query(
      `select (count(*) filter (where cache_hit))::int as hits, (count(*) filter (where not cache_hit))::int as misses
         from spans where project_id = $1`,
      [projectId],
    );
    expect(await countSloEvents(db.pool, SERVICE_CALLER, cfg.slos[0]!, projectId, window)).toEqual({
      total: rows[0].hits + rows[0].misses,
      bad: rows[0].misses,
    });
    const engine = engineAt(cfg, clock);
    await engine.tick();
    const rule = async () =>
      (
        await db.pool.query(
          `select state, observed from alert_instances where project_id = $1 and labels ->> 'alertname' = 'cache-cold'`,
          [projectId],
        )
      ).rows[0];
    expect(await rule()).toMatchObject({ state: 'normal', observed: { metric: 'cache_hit_ratio' } });
    expect((await rule()).observed.value).toBeCloseTo(rows[0].hits / (rows[0].hits + rows[0].misses), 9);
    // The cache is flushed: the next 600 lookups miss.
    await bulkLoadSpans(db.pool, lookups(clock.now, clock.now + 5 * MINUTE, 600, 0, 22));
    clock.now += 6 * MINUTE;
    await engine.tick();
    expect((await rule()).state).toBe('firing');
  });

  it('does not page on one failure at low traffic', async () => {
    const projectId = (await createProject(db.pool, 'quiet')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 50 * MINUTE,
      toMs: clock.now,
      count: 6,
      errorRate: 0,
      seed: 4,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 2 * MINUTE,
      toMs: clock.now,
      count: 1,
      errorRate: 1,
      seed: 5,
    });
    const result = await engineAt(config('quiet'), clock).tick();
    expect(result.transitions).toEqual([]);
    const { rows } = await db.pool.query(
      `select state, observed from alert_instances where project_id = $1 and severity = 'page'`,
      [projectId],
    );
    expect(rows[0].state).toBe('normal');
    expect(rows[0].observed.windows[0].longBurn).toBeGreaterThan(14.4);
  });

  it('records a silenced alert without telling Slack', async () => {
    const projectId = (await createProject(db.pool, 'silenced')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await db.pool.query(
      `insert into alert_silences (project_id, matchers, starts_at, ends_at, comment) values ($1, $2, $3, $4, 'maintenance')`,
      [projectId, { slo: 'chat-errors' }, new Date(clock.now - MINUTE), new Date(clock.now + HOUR)],
    );
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 30 * MINUTE,
      toMs: clock.now,
      count: 500,
      errorRate: 0.5,
      seed: 6,
    });
    const result = await engineAt(config('silenced'), clock).tick();
    expect(result.transitions.some((t) => t.to === 'firing')).toBe(true);
    expect(await notifications(projectId)).toEqual(['firing/page/silenced', 'firing/ticket/silenced']);
    expect(slack.received).toHaveLength(0);
  });

  it('lets only one of two racing engines evaluate a tick', async () => {
    const projectId = (await createProject(db.pool, 'race')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 30 * MINUTE,
      toMs: clock.now,
      count: 500,
      errorRate: 0.5,
      seed: 8,
    });
    const cfg = config('race');
    const results = await Promise.all([
      engineAt(cfg, clock).tick(),
      engineAt(cfg, clock).tick(),
      engineAt(cfg, clock).tick(),
    ]);
    expect(results.filter((r) => !r.skipped).length).toBeGreaterThanOrEqual(1);
    // Whichever ran, and in whatever order, the incident was notified once.
    expect((await notifications(projectId)).filter((n) => n.startsWith('firing/page'))).toEqual(['firing/page/sent']);
  });

  it('rolls a deployment back exactly once when two engines race, calling every hook with its contract', async () => {
    const projectId = (await createProject(db.pool, 'rollback')).id;
    await db.pool.query(
      `insert into deployments (project_id, name, baseline, source) values ($1, 'v42', 'v41', 'api')`,
      [projectId],
    );
    const cfg = config('rollback');
    const request = {
      projectId,
      projectName: 'rollback',
      deployment: 'v42',
      trigger: 'judge' as const,
      reason: 'canary judge: Fail',
    };
    hooks.failWebhook(503);
    const outcomes = await Promise.all([
      rollBack(db.pool, cfg, request, env),
      rollBack(db.pool, cfg, request, env),
      rollBack(db.pool, cfg, request, env),
    ]);
    expect(outcomes.filter((o) => o.started)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.started).map((o) => !o.started && o.reason)).toEqual([
      'already_rolled_back',
      'already_rolled_back',
    ]);
    const started = outcomes.find((o) => o.started)!;
    expect(started.started && started.status).toBe('succeeded');

    const deployerCalls = hooks.webhook.filter((h) => (h.body as { deployment: string }).deployment === 'v42');
    expect(deployerCalls).toHaveLength(1);
    expect(deployerCalls[0]!.body).toMatchObject({
      event: 'vigil.rollback',
      project: 'rollback',
      deployment: 'v42',
      baseline: 'v41',
      trigger: 'judge',
    });
    expect(hooks.github.at(-1)!.body).toMatchObject({
      event_type: 'vigil-rollback',
      client_payload: { deployment: 'v42' },
    });
    expect(hooks.flag.at(-1)!.body).toMatchObject({ action: 'kill', deployment: 'v42' });

    const { rows: audit } = await db.pool.query(
      `select hook, attempt, status_code, ok from rollback_hook_calls where project_id = $1 order by hook, attempt`,
      [projectId],
    );
    expect(audit).toEqual([
      { hook: 'deployer', attempt: 1, status_code: 503, ok: false },
      { hook: 'deployer', attempt: 2, status_code: 200, ok: true },
      { hook: 'gh', attempt: 1, status_code: 204, ok: true },
      { hook: 'kill-switch', attempt: 1, status_code: 200, ok: true },
    ]);
    // The audit log has the rollback once, by the engine, with the state before and after.
    const { rows: trail } = await db.pool.query(
      `select actor, action, target, origin, before, after from audit_events where project_id = $1`,
      [projectId],
    );
    expect(trail).toEqual([
      {
        actor: 'engine',
        action: 'deployment.rolled_back',
        target: 'v42',
        origin: 'engine',
        before: { state: 'running' },
        after: { state: 'rolled_back', trigger: 'judge', reason: 'canary judge: Fail' },
      },
    ]);
    const { rows } = await db.pool.query(
      `select d.state, r.status, r.idempotency_key from deployments d join rollbacks r on r.deployment_id = d.id where d.project_id = $1`,
      [projectId],
    );
    expect(rows).toEqual([
      { state: 'rolled_back', status: 'succeeded', idempotency_key: expect.stringMatching(/^vigil-rollback-/) },
    ]);
    expect(await notifications(projectId)).toEqual(['rollback/page/pending']);
  });

  it('groups the alerts of one incident into one Slack message, and waits out `for` on threshold rules', async () => {
    const projectId = (await createProject(db.pool, 'grouped')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 30 * MINUTE,
      toMs: clock.now,
      count: 600,
      latencyMs: 3000,
      errorRate: 0.4,
      seed: 21,
    });
    const cfg = config('grouped', {
      slos: [
        { name: 'chat-errors', project: 'grouped', objective: 99.9, sli: { kind: 'errors' } },
        { name: 'chat-latency', project: 'grouped', objective: 99, sli: { kind: 'latency', thresholdMs: 1000 } },
      ],
      rules: [
        {
          name: 'p95-over-2s',
          project: 'grouped',
          metric: 'latency_p95',
          threshold: 2000,
          window: '5m',
          for: '1m',
          severity: 'page',
        },
      ],
    });
    const engine = engineAt(cfg, clock);
    const first = await engine.tick();
    expect(first.transitions.filter((t) => t.name === 'p95-over-2s').map((t) => t.to)).toEqual(['pending']);
    // (The outbox is shared: a rollback notice from an earlier test may leave in this tick too.)
    const pages = slack.received.filter((m) => m.body.text!.includes('project=grouped'));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.body.blocks![0]!.text!.text).toBe('2 alert notifications');
    expect(pages[0]!.body.text).toMatch(/chat-errors[\s\S]*chat-latency|chat-latency[\s\S]*chat-errors/);

    clock.now += 30_000;
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 30_000,
      toMs: clock.now,
      count: 30,
      latencyMs: 3000,
      seed: 22,
    });
    expect((await engine.tick()).transitions.filter((t) => t.name === 'p95-over-2s')).toEqual([]);
    clock.now += 31_000;
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 31_000,
      toMs: clock.now,
      count: 30,
      latencyMs: 3000,
      seed: 23,
    });
    const fired = await engine.tick();
    expect(fired.transitions.filter((t) => t.name === 'p95-over-2s').map((t) => `${t.from}→${t.to}`)).toEqual([
      'pending→firing',
    ]);
    const { rows } = await db.pool.query(
      `select observed from alert_instances where project_id = $1 and alert_name = 'p95-over-2s'`,
      [projectId],
    );
    expect(rows[0].observed).toMatchObject({ metric: 'latency_p95', op: '>', threshold: 2000 });
    expect(rows[0].observed.value).toBeGreaterThan(2000);
  });

  it('records deployments it sees in spans', async () => {
    const projectId = (await createProject(db.pool, 'seen')).id;
    const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE };
    await loadTraffic(db.pool, {
      projectId,
      fromMs: clock.now - 5 * MINUTE,
      toMs: clock.now,
      count: 20,
      deployment: 'build-77',
      seed: 31,
    });
    await engineAt(parseAlertsConfig({}), clock).tick();
    const { rows } = await db.pool.query(`select name, state, source from deployments where project_id = $1`, [
      projectId,
    ]);
    expect(rows).toEqual([{ name: 'build-77', state: 'running', source: 'spans' }]);
  });
});
