// Stepped rollouts against a real database and hook receivers, on the engine's own ticks with a
// simulated clock: a healthy canary is promoted step by step (each promote hook once, in order),
// a canary that turns bad on its second step is rolled back there, racing engines and a person
// promoting at the same moment still call each hook once, and a rollout that cannot be decided
// pages once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { recordDeployment } from '../src/canary/deployments.ts';
import { parseAlertsConfig } from '../src/config/load.ts';
import type { AlertsConfig } from '../src/config/schema.ts';
import { AlertEngine } from '../src/engine/engine.ts';
import { enterStep } from '../src/rollout/enter-step.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type HookReceivers, startHookReceivers } from './support/hook-receivers.ts';
import { loadTraffic } from './support/traffic.ts';

const MINUTE = 60_000;
const SECRET = 'rollout-hook-secret';

let db: TestDatabase;
let hooks: HookReceivers;
let slack: FakeSlack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  hooks = await startHookReceivers(SECRET, 'gh-token');
  slack = await startFakeSlack();
  env = { HOOK_SECRET: SECRET, SLACK_ONCALL: slack.url('T1/B1/rollouts') };
});

afterAll(async () => {
  await hooks.close();
  await slack.close();
  await db.drop();
});

function config(): AlertsConfig {
  return parseAlertsConfig({
    slack: [{ webhookUrlEnv: 'SLACK_ONCALL' }],
    rollbackHooks: [{ type: 'webhook', name: 'deployer', url: `${hooks.url}/rollback`, secretEnv: 'HOOK_SECRET' }],
    promoteHooks: [
      { type: 'webhook', name: 'router', url: `${hooks.url}/promote`, secretEnv: 'HOOK_SECRET' },
      { type: 'flag', name: 'weights', url: `${hooks.url}/flags/chat-v2` },
    ],
    canary: { rollout: { minStepTime: '10m', maxHold: '30m' } },
  });
}

/** A project with a baseline's traffic around t0 and a rollout of `canary` started at t0. */
async function rolloutAt(project: string, t0: number, canary: string) {
  const projectId = (await createProject(db.pool, project)).id;
  await loadTraffic(db.pool, {
    projectId,
    fromMs: t0 - 30 * MINUTE,
    toMs: t0 + 40 * MINUTE,
    count: 2800,
    deployment: 'v1',
    seed: 11,
  });
  await recordDeployment(db.pool, projectId, {
    name: canary,
    baseline: 'v1',
    source: 'api',
    rollout: { steps: [5, 25, 100], minStepTimeMs: 10 * MINUTE, cohort: 'traffic', tenants: [] },
  });
  const cfg = config();
  const started = await enterStep(
    db.pool,
    cfg,
    {
      projectId,
      projectName: project,
      deployment: canary,
      toStep: 0,
      trigger: 'start',
      reason: 'test',
      at: new Date(t0),
    },
    env,
  );
  expect(started).toMatchObject({ entered: true, step: 0, weight: 5, status: 'succeeded' });
  return { projectId, cfg };
}

const promotesOf = (deployment: string) =>
  hooks.promote.filter((h) => h.body.deployment === deployment).map((h) => `${h.body.step}:${h.body.weight}`);
const flagsOf = (deployment: string) =>
  hooks.flag.filter((h) => h.body.deployment === deployment).map((h) => `${h.body.action}:${h.body.weight}`);
const rollbacksOf = (deployment: string) => hooks.webhook.filter((h) => h.body.deployment === deployment);

async function state(projectId: string, name: string) {
  const { rows } = await db.pool.query(
    `select state, step, weight::float8 as weight from deployments where project_id = $1 and name = $2`,
    [projectId, name],
  );
  return rows[0];
}

describe('stepped rollouts', () => {
  it('promote a healthy canary step by step, calling each promote hook once and in order', async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    const { projectId, cfg } = await rolloutAt('healthy', t0, 'v2');
    await loadTraffic(db.pool, {
      projectId,
      fromMs: t0,
      toMs: t0 + 40 * MINUTE,
      count: 800,
      deployment: 'v2',
      seed: 12,
    });
    const clock = { now: t0 };
    const engine = new AlertEngine({ pool: db.pool, config: () => cfg, env, now: () => clock.now });

    // Passing at 5 minutes, but a step lasts at least 10.
    clock.now = t0 + 5 * MINUTE;
    expect((await engine.tick()).judged).toEqual([{ deployment: 'v2', verdict: 'pass' }]);
    expect(promotesOf('v2')).toEqual(['0:5']);

    clock.now = t0 + 10 * MINUTE;
    await engine.tick();
    expect(promotesOf('v2')).toEqual(['0:5', '1:25']);
    expect(await state(projectId, 'v2')).toEqual({ state: 'running', step: 1, weight: 25 });

    // The new step is judged on its own calls and waits its own ten minutes.
    clock.now = t0 + 15 * MINUTE;
    await engine.tick();
    expect(promotesOf('v2')).toEqual(['0:5', '1:25']);

    clock.now = t0 + 20 * MINUTE;
    await engine.tick();
    expect(promotesOf('v2')).toEqual(['0:5', '1:25', '2:100']);
    expect(flagsOf('v2')).toEqual(['set_weight:5', 'set_weight:25', 'set_weight:100']);
    expect(hooks.promote.filter((h) => h.body.deployment === 'v2').map((h) => h.body.final)).toEqual([
      false,
      false,
      true,
    ]);
    expect(await state(projectId, 'v2')).toEqual({ state: 'promoted', step: 2, weight: 100 });

    // Promoted: nothing more is judged or called.
    for (const minutes of [25, 30, 40]) {
      clock.now = t0 + minutes * MINUTE;
      expect((await engine.tick()).judged).toEqual([]);
    }
    expect(promotesOf('v2')).toHaveLength(3);
    expect(rollbacksOf('v2')).toEqual([]);
    const { rows } = await db.pool.query(
      `select s.step, s.status, count(c.*)::int as calls from rollout_steps s join rollout_hook_calls c on c.rollout_step_id = s.id
        where s.project_id = $1 group by s.step, s.status order by s.step`,
      [projectId],
    );
    expect(rows).toEqual([
      { step: 0, status: 'succeeded', calls: 2 },
      { step: 1, status: 'succeeded', calls: 2 },
      { step: 2, status: 'succeeded', calls: 2 },
    ]);
    expect(slack.received.map((m) => m.body.text?.split(':')[0])).toEqual(
      expect.arrayContaining(['ROLLOUT v2 at 25% (step 2 of 3) (healthy)', 'PROMOTED v2 to 100% (healthy)']),
    );
  });

  it('roll back a canary that turns bad on its second step, at that step, once', async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    const { projectId, cfg } = await rolloutAt('turns-bad', t0, 'v3');
    await loadTraffic(db.pool, {
      projectId,
      fromMs: t0,
      toMs: t0 + 10 * MINUTE,
      count: 200,
      deployment: 'v3',
      seed: 13,
    });
    await loadTraffic(db.pool, {
      projectId,
      fromMs: t0 + 10 * MINUTE,
      toMs: t0 + 20 * MINUTE,
      count: 400,
      deployment: 'v3',
      latencyMs: 2000,
      errorRate: 0.2,
      seed: 14,
    });
    const clock = { now: t0 + 10 * MINUTE };
    const engine = new AlertEngine({ pool: db.pool, config: () => cfg, env, now: () => clock.now });
    await engine.tick();
    expect(promotesOf('v3')).toEqual(['0:5', '1:25']);

    clock.now = t0 + 12 * MINUTE;
    await engine.tick();
    expect(rollbacksOf('v3')).toHaveLength(1);
    expect(String(rollbacksOf('v3')[0]!.body.reason)).toMatch(/Fail at 25% \(step 2 of 3\)/);
    expect(await state(projectId, 'v3')).toMatchObject({ state: 'rolled_back', step: 1 });

    clock.now = t0 + 30 * MINUTE;
    await engine.tick();
    expect(promotesOf('v3')).toEqual(['0:5', '1:25']);
    expect(rollbacksOf('v3')).toHaveLength(1);
  });

  it('call each hook once when two engines and a person promote at the same moment', async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    const { projectId, cfg } = await rolloutAt('racing', t0, 'v4');
    await loadTraffic(db.pool, {
      projectId,
      fromMs: t0,
      toMs: t0 + 40 * MINUTE,
      count: 800,
      deployment: 'v4',
      seed: 15,
    });
    const clock = { now: t0 + 10 * MINUTE };
    const engines = [1, 2].map(() => new AlertEngine({ pool: db.pool, config: () => cfg, env, now: () => clock.now }));
    const racers = [
      ...engines.map((e) => e.tick()),
      ...[1, 2, 3].map(() =>
        enterStep(
          db.pool,
          cfg,
          { projectId, projectName: 'racing', deployment: 'v4', toStep: 1, trigger: 'manual', reason: 'racing' },
          env,
        ),
      ),
    ];
    await Promise.all(racers);
    expect(promotesOf('v4')).toEqual(['0:5', '1:25']);

    clock.now = t0 + 21 * MINUTE;
    await Promise.all([
      ...engines.map((e) => e.tick()),
      enterStep(
        db.pool,
        cfg,
        { projectId, projectName: 'racing', deployment: 'v4', toStep: 'final', trigger: 'manual', reason: 'racing' },
        env,
      ),
    ]);
    expect(promotesOf('v4')).toEqual(['0:5', '1:25', '2:100']);
    expect(new Set(hooks.promote.map((h) => h.headers['idempotency-key'])).size).toBe(hooks.promote.length);
  });

  it('hold a rollout it cannot decide, and page once when held past maxHold', async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 90 * MINUTE;
    const { projectId, cfg } = await rolloutAt('quiet', t0, 'v5');
    // Three calls in forty minutes: never enough to pass, nothing to fail on.
    await loadTraffic(db.pool, { projectId, fromMs: t0, toMs: t0 + 40 * MINUTE, count: 3, deployment: 'v5', seed: 16 });
    const clock = { now: t0 + 20 * MINUTE };
    const engine = new AlertEngine({ pool: db.pool, config: () => cfg, env, now: () => clock.now });
    await engine.tick();
    const pagesHeld = () => slack.received.filter((m) => m.body.text?.startsWith('ROLLOUT HELD v5'));
    expect(pagesHeld()).toEqual([]);
    for (const minutes of [40, 41, 60]) {
      clock.now = t0 + minutes * MINUTE;
      await engine.tick();
    }
    const held = pagesHeld();
    expect(held).toHaveLength(1);
    expect(held[0]!.body.text).toMatch(/at 5% \(step 1 of 3\).*no decision since/);
    expect(promotesOf('v5')).toEqual(['0:5']);
    expect(await state(projectId, 'v5')).toMatchObject({ state: 'running', step: 0 });
  });
});
