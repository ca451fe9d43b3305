// npm run bench:alerts: how fast a bad canary reaches Slack and the rollback hook, and how often a
// healthy but noisy canary would be rolled back.
//
// 1. Starts `vigil up` (collector, alert engine and API, default settings) on a fresh database,
//    with a config that sends Slack to a local Slack-like server and rollbacks to a local signed
//    webhook receiver, both in this process.
// 2. Sends ten minutes of healthy history for v1 (baseline, 80% of traffic) and v2 (canary, 20%),
//    records v2 as a canary of v1 through the API, then live healthy traffic at ~20 requests/s.
// 3. Switches v2 to 5× latency and a 20% error rate, and times from the collector's acknowledgement
//    of the first bad span to (a) the first Slack request and (b) the rollback hook's request.
// 4. Low traffic: records v3 as a canary of v1 and sends it at 0.4 requests/s (v1 at 3.6) with the
//    demo's incident from its first call (10× latency, 30× the tokens, so 30× the cost), and times
//    from the first bad span's acknowledgement to v3's rollback hook request.
// 5. Judges 200 healthy-but-noisy canaries (each against its own baseline, through the database)
//    and counts the ones the judge would roll back; then 200 healthy low-traffic canaries (0.4
//    calls/s against 2/s, with the same noise), each judged through the database once a minute
//    over ten minutes of its traffic (the judge's every-tick validity over an hour is a unit test,
//    alerts/test/canary-judge.test.ts), and counts those failed at any look.
// 6. Stepped rollouts (steps 5, 25, 100; 30 s minimum step time), live through `vigil up`, with
//    traffic split by the weight the promote hook (a flag service here) last set: a healthy canary
//    is timed from its start to 100%; another turns bad (5× latency, 20% errors) when it reaches
//    25%, timed from its first bad call's acknowledgement to its rollback hook.
// 7. 200 rollouts whose canary turns 2× slower (latency and TTFT) at its second step, each driven
//    through the database on a simulated 10 s tick for five minutes (the engine's judge and
//    rollout driver, 10 s of traffic loaded per tick at the weight entered), and counts those
//    promoted to 100% anyway.
// Last line: alerts detect_s=<to Slack> rollback_s=<to rollback hook> false_rollbacks=<n>/200
//   promote_s=<start to 100%> false_promotions=<n>/200 step_rollback_s=<bad traffic to rollback>
//   lowtraffic_rollback_s=<first bad call to rollback> lowtraffic_false_rollbacks=<n>/200

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {
  bulkLoadSpans,
  createIngestKey,
  createPool,
  createProject,
  freshDatabase,
  signToken,
  startEmbeddedPostgres,
} from '@vigil/core';
import { recordDeployment } from '../src/canary/deployments.ts';
import { findDeployment, judgeDeployment, toDeploymentRow } from '../src/canary/judge-deployment.ts';
import { parseAlertsConfig } from '../src/config/load.ts';
import { driveRollout } from '../src/rollout/drive.ts';
import { enterStep } from '../src/rollout/enter-step.ts';
import { startFakeSlack } from '../test/support/fake-slack.ts';
import { startHookReceivers } from '../test/support/hook-receivers.ts';
import { modelCalls } from '../test/support/traffic.ts';

const root = path.resolve(import.meta.dirname, '../..');
const RATE_PER_S = 20;
const CANARY_SHARE = 0.2;
const JUDGEMENTS = Number(process.env.BENCH_JUDGEMENTS ?? 200);
const JWT_SECRET = randomBytes(24).toString('hex');
const HOOK_SECRET = randomBytes(16).toString('hex');

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface Behaviour {
  latencyMs: number;
  ttftMs: number;
  errorRate: number;
  /** Token counts are multiplied by this (the cost with them). */
  tokens?: number;
}

const HEALTHY: Behaviour = { latencyMs: 600, ttftMs: 200, errorRate: 0.001 };
const BAD: Behaviour = { latencyMs: 3000, ttftMs: 1000, errorRate: 0.2 };
/** The demo's incident: 10× slower, 30× costlier, errors as usual. */
const INCIDENT: Behaviour = { latencyMs: 6000, ttftMs: 2000, errorRate: 0.001, tokens: 30 };

/** One OTLP/JSON request: `count` chat spans of one deployment ending around `endMs`. */
function otlpBatch(deployment: string, count: number, endMs: number, behaviour: Behaviour): string {
  const spans = Array.from({ length: count }, () => {
    const noise = Math.exp(0.35 * Math.sqrt(-2 * Math.log(Math.random())) * Math.cos(2 * Math.PI * Math.random()));
    const duration = behaviour.latencyMs * noise;
    const end = endMs - Math.random() * 250;
    const error = Math.random() < behaviour.errorRate;
    return {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: String(BigInt(Math.round((end - duration) * 1000)) * 1000n),
      endTimeUnixNano: String(BigInt(Math.round(end * 1000)) * 1000n),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
        {
          key: 'gen_ai.usage.input_tokens',
          value: { intValue: String((300 + Math.floor(Math.random() * 200)) * (behaviour.tokens ?? 1)) },
        },
        {
          key: 'gen_ai.usage.output_tokens',
          value: { intValue: String((60 + Math.floor(Math.random() * 60)) * (behaviour.tokens ?? 1)) },
        },
        { key: 'gen_ai.response.time_to_first_chunk', value: { doubleValue: (behaviour.ttftMs * noise) / 1000 } },
        { key: 'tenant.id', value: { stringValue: `tenant-${Math.floor(Math.random() * 5)}` } },
      ],
      status: error ? { code: 2, message: 'provider error' } : {},
    };
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'chat-api' } },
            { key: 'vigil.deployment', value: { stringValue: deployment } },
          ],
        },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
}

async function post(url: string, key: string, body: string): Promise<void> {
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  if (!response.ok) throw new Error(`collector answered ${response.status}: ${await response.text()}`);
}

/** A count with the given mean: its whole part, and one more with the fractional part's chance. */
const countOf = (mean: number) => Math.floor(mean) + (Math.random() < mean % 1 ? 1 : 0);

/** Sends one 250 ms tick of traffic (both deployments); resolves when the collector acknowledged it. */
async function sendTick(
  collectorUrl: string,
  key: string,
  endMs: number,
  canary: Behaviour,
  traffic = { ratePerS: RATE_PER_S, canaryShare: CANARY_SHARE, canary: 'v2' },
): Promise<number> {
  const perTick = traffic.ratePerS / 4;
  const canaryCount = countOf(perTick * traffic.canaryShare);
  const baselineCount = countOf(perTick * (1 - traffic.canaryShare));
  await Promise.all([
    baselineCount > 0 ? post(collectorUrl, key, otlpBatch('v1', baselineCount, endMs, HEALTHY)) : Promise.resolve(),
    canaryCount > 0
      ? post(collectorUrl, key, otlpBatch(traffic.canary, canaryCount, endMs, canary))
      : Promise.resolve(),
  ]);
  return canaryCount;
}

function waitForLine(child: ReturnType<typeof spawn>, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`vigil up did not print ${pattern} in time:\n${seen}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    });
  });
}

/** Healthy but noisy model calls of one deployment: heavy tails, a 2% error rate, a slow call now and then. */
function noisyCalls(projectId: string, deployment: string, count: number, fromMs: number, toMs: number, seed: number) {
  const spans = modelCalls({
    projectId,
    fromMs,
    toMs,
    count,
    deployment,
    latencyMs: 700,
    ttftMs: 250,
    errorRate: 0.02,
    costUsd: 0.002,
    seed,
  });
  // Generated calls all have a duration.
  for (const span of spans) if (Math.random() < 0.02) span.durationMs = span.durationMs! * 4;
  return spans;
}

/** 200 canaries and baselines drawn from one noisy distribution, judged through the database. */
async function falseRollbacks(
  pool: pg.Pool,
  projectId: string,
): Promise<{ fails: number; verdicts: Record<string, number> }> {
  const now = Date.now();
  const config = parseAlertsConfig({}).canary;
  const spans = [];
  for (let i = 0; i < JUDGEMENTS; i++) {
    // Per judgement, its own traffic: a canary at 5-20% of its baseline's, and noise in both
    // (heavy tails, a 2% error rate, a slow burst now and then).
    const baselineCount = 300 + Math.floor(Math.random() * 700);
    const canaryCount = Math.max(60, Math.floor(baselineCount * (0.05 + Math.random() * 0.15)));
    for (const [deployment, count, seed] of [
      [`noisy-base-${i}`, baselineCount, 2 * i + 1],
      [`noisy-canary-${i}`, canaryCount, 2 * i + 2],
    ] as const) {
      spans.push(...noisyCalls(projectId, deployment, count, now - 110_000, now - 1000, seed * 7919));
    }
  }
  await bulkLoadSpans(pool, spans);
  const verdicts: Record<string, number> = {};
  for (let i = 0; i < JUDGEMENTS; i++) {
    const { rows } = await pool.query(
      `insert into deployments (project_id, name, baseline, source) values ($1, $2, $3, 'api') returning id, project_id, name, baseline, started_at, state`,
      [projectId, `noisy-canary-${i}`, `noisy-base-${i}`],
    );
    const r = rows[0];
    // Judged as of when its traffic ended: loading 200 deployments' spans takes a while.
    const judged = await judgeDeployment(pool, config, toDeploymentRow(r), now);
    verdicts[judged.verdict] = (verdicts[judged.verdict] ?? 0) + 1;
    if (judged.verdict !== 'pass' && process.env.BENCH_VERBOSE) log(`${r.name}: ${judged.verdict}: ${judged.reason}`);
  }
  return { fails: verdicts.fail ?? 0, verdicts };
}

/** 200 healthy low-traffic canaries, each judged once a minute over its ten minutes of traffic. */
async function lowTrafficFalseRollbacks(pool: pg.Pool, projectId: string): Promise<number> {
  const now = Date.now();
  const config = parseAlertsConfig({}).canary;
  const startMs = now - 10 * 60_000;
  const spans = [];
  for (let i = 0; i < JUDGEMENTS; i++) {
    for (const [deployment, count, seed] of [
      [`quiet-base-${i}`, 1200, 2 * i + 1],
      [`quiet-canary-${i}`, 240, 2 * i + 2],
    ] as const) {
      spans.push(...noisyCalls(projectId, deployment, count, startMs, now, seed * 104_729));
    }
  }
  await bulkLoadSpans(pool, spans);
  let failed = 0;
  for (let i = 0; i < JUDGEMENTS; i++) {
    const { rows } = await pool.query(
      `insert into deployments (project_id, name, baseline, source, started_at) values ($1, $2, $3, 'api', $4)
       returning id, project_id, name, baseline, started_at, state`,
      [projectId, `quiet-canary-${i}`, `quiet-base-${i}`, new Date(startMs)],
    );
    const deployment = toDeploymentRow(rows[0]);
    for (let minute = 1; minute <= 10; minute++) {
      const judged = await judgeDeployment(pool, config, deployment, startMs + minute * 60_000);
      if (judged.verdict === 'fail') {
        failed++;
        if (process.env.BENCH_VERBOSE) log(`${deployment.name} failed at minute ${minute}: ${judged.reason}`);
        break;
      }
    }
  }
  return failed;
}

/**
 * Rollouts whose canary turns 2× slower when it enters its second step, each driven tick by tick
 * on a simulated clock (10 s of traffic loaded per tick at the weight it is on); how many reach
 * 100% anyway, and how the others ended.
 */
async function falsePromotions(
  pool: pg.Pool,
  projectId: string,
): Promise<{ promoted: number; outcomes: Record<string, number> }> {
  const config = parseAlertsConfig({ canary: { rollout: { minStepTime: '30s' } } });
  const TICK = 10_000;
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < JUDGEMENTS; i++) {
    const name = `stepped-${i}`;
    const baseline = `stepped-base-${i}`;
    const t0 = Date.now() - 3_600_000;
    // Two minutes of baseline history, then the rollout.
    await bulkLoadSpans(pool, noisyCalls(projectId, baseline, 2280, t0 - 120_000, t0, seedOf(i, 0, 0)));
    await recordDeployment(pool, projectId, {
      name,
      baseline,
      source: 'api',
      rollout: { steps: [5, 25, 100], minStepTimeMs: 30_000, cohort: 'traffic', tenants: [] },
    });
    const start = { projectId, projectName: 'default', deployment: name, trigger: 'start' as const, reason: 'bench' };
    await enterStep(pool, config, { ...start, toStep: 0, at: new Date(t0) });
    let outcome = 'held';
    for (let tick = 1, now = t0 + TICK; tick <= 30; tick++, now += TICK) {
      const deployment = (await findDeployment(pool, projectId, name))!;
      const weight = deployment.rollout!.steps[deployment.rollout!.step]!;
      const canaryCount = countOf((19 * TICK * weight) / 100 / 1000);
      const spans = noisyCalls(projectId, baseline, 190, now - TICK, now, seedOf(i, tick, 1));
      if (canaryCount > 0) {
        const canary = noisyCalls(projectId, name, canaryCount, now - TICK, now, seedOf(i, tick, 2));
        // A slower model behind the flag: twice the latency, to the first token too.
        if (deployment.rollout!.step >= 1)
          for (const span of canary) {
            span.durationMs = span.durationMs! * 2;
            if (span.ttftMs !== null) span.ttftMs *= 2;
          }
        spans.push(...canary);
      }
      await bulkLoadSpans(pool, spans);
      const judged = await judgeDeployment(pool, config.canary, deployment, now);
      const driven = await driveRollout(
        { pool, config, projectName: 'default', now },
        {
          ...deployment,
          rollout: deployment.rollout!,
        },
        judged,
      );
      if (driven.action.kind === 'rollback') {
        outcome = `rolled back at step ${deployment.rollout!.step + 1}`;
        break;
      }
      if (driven.action.kind === 'advance' && driven.action.final) {
        outcome = 'promoted';
        if (process.env.BENCH_VERBOSE) log(`${name} promoted: ${judged.reason}`);
        break;
      }
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return { promoted: outcomes.promoted ?? 0, outcomes };
}

/**
 * A seed per rollout, tick and side, spread over 32 bits: the traffic's generator is an LCG, whose
 * first draws from nearby seeds are nearly equal, so seeds a few apart gave a rollout the same
 * first-call error on every tick (2 of 200 healthy canaries really did err at 18%).
 */
function seedOf(rollout: number, tick: number, side: number): number {
  return Math.imul(rollout * 1000 + tick * 3 + side + 1, 0x9e3779b1) >>> 0;
}

/** The weight the flag service was last told for a deployment (the promote hook's set_weight). */
function flagWeight(received: { body: Record<string, unknown> }[], deployment: string): number {
  for (let i = received.length - 1; i >= 0; i--) {
    const body = received[i]!.body;
    if (body.deployment === deployment) return body.action === 'kill' ? 0 : Number(body.weight);
  }
  return 0;
}

const server = await startEmbeddedPostgres({
  dataDir: path.join(root, '.vigil/bench-alerts'),
  port: Number(process.env.BENCH_PG_PORT ?? 54342),
});
const slack = await startFakeSlack();
const hooks = await startHookReceivers(HOOK_SECRET, 'unused');
let vigil: ReturnType<typeof spawn> | null = null;
try {
  const url = await freshDatabase(server.url, 'vigil_bench_alerts');
  const setup = createPool(url, { poolSize: 4 });
  const project = await createProject(setup, 'default');
  const { key } = await createIngestKey(setup, 'default');

  const configDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-alerts-'));
  const configFile = path.join(configDir, 'vigil.config.yaml');
  writeFileSync(
    configFile,
    [
      'alerts:',
      '  slos:',
      '    - name: chat-errors',
      '      objective: 99.5',
      '      selector: { service: chat-api }',
      '      sli: { kind: errors }',
      '    - name: chat-latency',
      '      objective: 99',
      '      selector: { service: chat-api }',
      '      sli: { kind: latency, thresholdMs: 2500 }',
      '  slack:',
      '    - webhookUrlEnv: SLACK_ONCALL',
      '  rollbackHooks:',
      `    - { type: webhook, name: deployer, url: "${hooks.url}/rollback", secretEnv: ROLLBACK_SECRET }`,
      '  promoteHooks:',
      `    - { type: flag, name: router, url: "${hooks.url}/flags/router" }`,
    ].join('\n'),
  );

  const port = 44180 + Math.floor(Math.random() * 1000);
  vigil = spawn(process.execPath, [path.join(root, 'cli/bin/vigil.mjs'), 'up'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      VIGIL_COLLECTOR_PORT: String(port),
      VIGIL_COLLECTOR_HEALTH_PORT: '0',
      VIGIL_COLLECTOR_GRPC_PORT: '0',
      VIGIL_API_PORT: String(port + 1),
      VIGIL_CONFIG: configFile,
      VIGIL_DASHBOARD: 'off',
      VIGIL_JWT_SECRET: JWT_SECRET,
      VIGIL_DATA_DIR: configDir,
      SLACK_ONCALL: slack.url('T0/B0/bench'),
      ROLLBACK_SECRET: HOOK_SECRET,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  vigil.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n'))
      if (line.includes('[alerts]') || line.includes('rolled back')) log(`vigil: ${line}`);
  });
  const collectorUrl = await waitForLine(vigil, /collector: OTLP\/HTTP on (http:\/\/\S+)\/v1\/traces/, 60_000);
  const apiUrl = await waitForLine(vigil, /query API: (http:\/\/\S+)\/api\/v1/, 60_000);
  log(`vigil up: collector ${collectorUrl}, API ${apiUrl}`);

  // Ten minutes of healthy history, sent as fast as the collector takes it.
  const historyStart = Date.now() - 10 * 60_000;
  for (let t = historyStart; t < Date.now() - 1000; t += 250) await sendTick(collectorUrl, key, t, HEALTHY);
  log('sent 10 minutes of healthy history');

  const token = await signToken({ role: 'authenticated', projectId: project.id, ttlSeconds: 3600 }, JWT_SECRET);
  const recorded = await fetch(`${apiUrl}/api/v1/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ deployment: 'v2', baseline: 'v1', weight: CANARY_SHARE * 100 }),
  });
  if (recorded.status !== 201)
    throw new Error(`recording the canary failed: ${recorded.status} ${await recorded.text()}`);

  let canary = HEALTHY;
  let firstBadAckAt: number | null = null;
  let stop = false;
  const live = (async () => {
    while (!stop) {
      const tickStart = Date.now();
      const bad = canary === BAD;
      await sendTick(collectorUrl, key, tickStart, canary);
      if (bad && firstBadAckAt === null) firstBadAckAt = Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - tickStart))));
    }
  })();

  // Healthy for 40 s (four engine ticks): nothing should be said or rolled back.
  await new Promise((r) => setTimeout(r, 40_000));
  const quiet = { slack: slack.received.length, hooks: hooks.webhook.length };
  log(`healthy canary for 40 s: ${quiet.slack} Slack messages, ${quiet.hooks} rollbacks`);

  log('switching v2 to 5× latency and a 20% error rate');
  canary = BAD;
  const deadline = Date.now() + 180_000;
  while ((slack.received.length === quiet.slack || hooks.webhook.length === quiet.hooks) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  stop = true;
  await live;
  if (firstBadAckAt === null) throw new Error('no bad span was acknowledged');
  const slackAt = slack.received[quiet.slack]?.at;
  const hookAt = hooks.webhook[quiet.hooks]?.at;
  const detect = slackAt ? (slackAt - firstBadAckAt) / 1000 : Number.NaN;
  const rollback = hookAt ? (hookAt - firstBadAckAt) / 1000 : Number.NaN;
  log(`first Slack message: ${slack.received[quiet.slack]?.body.text?.slice(0, 120) ?? 'none'}`);
  log(
    `rollback hook: ${hooks.webhook[quiet.hooks] ? JSON.stringify(hooks.webhook[quiet.hooks]!.body).slice(0, 160) : 'none'}`,
  );
  if (quiet.slack > 0 || quiet.hooks > 0)
    log(`WARNING: ${quiet.slack} messages and ${quiet.hooks} rollbacks while the canary was healthy`);

  // Low traffic: a new canary at 0.4 requests/s, bad from its first call.
  const lowRecorded = await fetch(`${apiUrl}/api/v1/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ deployment: 'v3', baseline: 'v1', weight: 10 }),
  });
  if (lowRecorded.status !== 201)
    throw new Error(`recording the low-traffic canary failed: ${lowRecorded.status} ${await lowRecorded.text()}`);
  log('low traffic: v3 at 0.4 requests/s (v1 at 3.6) with 10× latency and 30× cost from its first call');
  const rollbacksBefore = hooks.webhook.length;
  let firstLowAckAt: number | null = null;
  const lowDeadline = Date.now() + 300_000;
  while (hooks.webhook.length === rollbacksBefore && Date.now() < lowDeadline) {
    const tickStart = Date.now();
    const sent = await sendTick(collectorUrl, key, tickStart, INCIDENT, {
      ratePerS: 4,
      canaryShare: 0.1,
      canary: 'v3',
    });
    if (sent > 0 && firstLowAckAt === null) firstLowAckAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - tickStart))));
  }
  const lowHook = hooks.webhook[rollbacksBefore];
  const lowRollback = lowHook && firstLowAckAt !== null ? (lowHook.at - firstLowAckAt) / 1000 : Number.NaN;
  log(`low-traffic rollback hook: ${lowHook ? JSON.stringify(lowHook.body).slice(0, 160) : 'none in 5 minutes'}`);
  log(
    `detect_s=${detect.toFixed(1)} rollback_s=${rollback.toFixed(1)} lowtraffic_rollback_s=${lowRollback.toFixed(1)}`,
  );

  // Stepped rollouts, traffic split by the weight the promote hook last set.
  const startRollout = async (deployment: string) => {
    const response = await fetch(`${apiUrl}/api/v1/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ deployment, baseline: 'v1', rollout: { steps: [5, 25, 100], minStepTime: '30s' } }),
    });
    if (response.status !== 201)
      throw new Error(`starting ${deployment} failed: ${response.status} ${await response.text()}`);
    return Date.now();
  };
  /** Sends traffic until `done` or five minutes; the canary behaves as `behaviour(weight)` says. */
  const rolloutTraffic = async (deployment: string, behaviour: (weight: number) => Behaviour, done: () => boolean) => {
    let firstBadAck: number | null = null;
    const until = Date.now() + 300_000;
    while (!done() && Date.now() < until) {
      const tickStart = Date.now();
      const weight = flagWeight(hooks.flag, deployment);
      const canary = behaviour(weight);
      const sent = await sendTick(collectorUrl, key, tickStart, canary, {
        ratePerS: RATE_PER_S,
        canaryShare: weight / 100,
        canary: deployment,
      });
      if (sent > 0 && canary !== HEALTHY && firstBadAck === null) firstBadAck = Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - tickStart))));
    }
    return firstBadAck;
  };
  log('stepped rollout: v4 healthy through 5%, 25%, 100% (30 s minimum per step)');
  const v4Start = await startRollout('v4');
  await rolloutTraffic(
    'v4',
    () => HEALTHY,
    () => flagWeight(hooks.flag, 'v4') === 100,
  );
  const v4Final = hooks.flag.find((h) => h.body.deployment === 'v4' && h.body.weight === 100);
  const promote = v4Final ? (v4Final.at - v4Start) / 1000 : Number.NaN;
  log(`promote_s=${promote.toFixed(1)}`);
  log(
    `v4 steps: ${hooks.flag
      .filter((h) => h.body.deployment === 'v4')
      .map((h) => `${h.body.weight}% at +${((h.at - v4Start) / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  log('stepped rollout: v5 turns bad (5× latency, 20% errors) when it reaches 25%');
  const v5RollbacksBefore = hooks.webhook.length;
  await startRollout('v5');
  const v5FirstBad = await rolloutTraffic(
    'v5',
    (weight) => (weight >= 25 ? BAD : HEALTHY),
    () => hooks.webhook.length > v5RollbacksBefore,
  );
  const v5Hook = hooks.webhook[v5RollbacksBefore];
  const stepRollback = v5Hook && v5FirstBad !== null ? (v5Hook.at - v5FirstBad) / 1000 : Number.NaN;
  log(`v5 rollback hook: ${v5Hook ? JSON.stringify(v5Hook.body).slice(0, 200) : 'none in 5 minutes'}`);
  log(`step_rollback_s=${stepRollback.toFixed(1)}`);

  vigil.kill('SIGTERM');
  await new Promise((r) => vigil!.once('exit', r));
  vigil = null;

  log(`judging ${JUDGEMENTS} healthy but noisy canaries…`);
  const noisy = await falseRollbacks(setup, project.id);
  log(`verdicts: ${JSON.stringify(noisy.verdicts)}`);
  log(`judging ${JUDGEMENTS} healthy low-traffic canaries once a minute for ten minutes…`);
  const lowFails = await lowTrafficFalseRollbacks(setup, project.id);
  log(`driving ${JUDGEMENTS} rollouts whose canary turns 2× slower at its second step…`);
  const stepped = await falsePromotions(setup, project.id);
  log(`outcomes: ${JSON.stringify(stepped.outcomes)}`);
  await setup.end();
  console.log(
    `alerts detect_s=${detect.toFixed(1)} rollback_s=${rollback.toFixed(1)} false_rollbacks=${noisy.fails + quiet.hooks}/${JUDGEMENTS} promote_s=${promote.toFixed(1)} false_promotions=${stepped.promoted}/${JUDGEMENTS} step_rollback_s=${stepRollback.toFixed(1)} lowtraffic_rollback_s=${lowRollback.toFixed(1)} lowtraffic_false_rollbacks=${lowFails}/${JUDGEMENTS}`,
  );
} finally {
  vigil?.kill('SIGKILL');
  await slack.close();
  await hooks.close();
  await server.stop();
}
