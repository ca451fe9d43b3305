// Canaries given as slices of traffic, judged like deployments: a prompt version against the one
// before it, a model swap behind a flag, on latency, errors, cost and evaluation scores; recorded
// through the API and answered by the same gates.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkLoadSpans, createApiApp, createProject, signToken, type SpanRow } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { alertsApiRoutes } from '../src/api/index.ts';
import { recordDeployment } from '../src/canary/deployments.ts';
import { findDeployment, judgeDeployment } from '../src/canary/judge-deployment.ts';
import { parseAlertsConfig } from '../src/config/load.ts';
import { modelCalls, type TrafficOptions } from './support/traffic.ts';

const JWT = 'a-jwt-secret-for-tests-only-32-chars-long';
let db: TestDatabase;
let projectId: string;
const config = parseAlertsConfig({});
const now = Date.now();

/** Calls of one deployment (v1) with the given prompt version, model and evaluation score. */
function calls(
  options: Partial<TrafficOptions> & { promptVersion?: string; model?: string; faithfulness?: number; count: number },
): SpanRow[] {
  let s = options.seed ?? 1;
  const noise = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return ((s + 0.5) / 2 ** 32 - 0.5) * 0.2;
  };
  return modelCalls({ projectId, fromMs: now - 20 * 60_000, toMs: now - 1000, deployment: 'v1', ...options }).map(
    (span) => ({
      ...span,
      promptName: options.promptVersion ? 'answer' : null,
      promptVersion: options.promptVersion ?? null,
      model: options.model ?? span.model,
      ...(options.faithfulness !== undefined
        ? {
            evaluations: [
              { name: 'faithfulness', score: options.faithfulness + noise(), label: null, atMs: span.startMs },
            ],
          }
        : {}),
    }),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'prompts')).id;
  await bulkLoadSpans(db.pool, [
    ...calls({ count: 400, promptVersion: '3', faithfulness: 0.85, seed: 1 }),
    // v4: as fast, but its answers are judged less faithful.
    ...calls({ count: 150, promptVersion: '4', faithfulness: 0.7, seed: 2 }),
    // v5: like v3 in every way.
    ...calls({ count: 150, promptVersion: '5', faithfulness: 0.85, seed: 3 }),
    // v6: ten times slower, to the first token too (a longer prompt).
    ...calls({ count: 150, promptVersion: '6', latencyMs: 4000, ttftMs: 1500, seed: 4 }),
    // A model swap: three times the cost per call.
    ...calls({ count: 400, model: 'gpt-4o-mini', costUsd: 0.001, seed: 5 }),
    ...calls({ count: 150, model: 'claude-haiku-4-5', costUsd: 0.003, seed: 6 }),
  ]);
});

afterAll(async () => {
  await db.drop();
});

async function judgeSlices(name: string, canary: Record<string, string[]>, baseline: Record<string, string[]>) {
  await recordDeployment(db.pool, projectId, { name, source: 'api', slices: { canary, baseline } });
  const deployment = (await findDeployment(db.pool, projectId, name))!;
  return judgeDeployment(db.pool, config.canary, deployment, now);
}

describe('canaries by prompt version and model', () => {
  it('fail a prompt version whose evaluation scores drop, though it is as fast and as cheap', async () => {
    const judged = await judgeSlices(
      'prompt-answer-4',
      { prompt: ['answer'], promptVersion: ['4'] },
      { prompt: ['answer'], promptVersion: ['3'] },
    );
    expect(judged.baseline).toBe('prompt=answer promptVersion=3');
    const metrics = Object.fromEntries(judged.judgement!.metrics.map((m) => [m.metric, m.classification]));
    expect(metrics).toMatchObject({ latency: 'pass', errors: 'pass', 'eval:faithfulness': 'high' });
    expect(judged.verdict).not.toBe('pass');
    expect(judged.reason).toMatch(/eval:faithfulness mean 0\.\d+ vs 0\.\d+/);
  });

  it('pass a prompt version like its baseline, evaluation included', async () => {
    const judged = await judgeSlices(
      'prompt-answer-5',
      { prompt: ['answer'], promptVersion: ['5'] },
      { prompt: ['answer'], promptVersion: ['3'] },
    );
    expect(judged.verdict).toBe('pass');
    expect(judged.judgement!.metrics.find((m) => m.metric === 'eval:faithfulness')?.classification).toBe('pass');
  });

  it('fail a slow prompt version, and a model swap that triples the cost', async () => {
    const slow = await judgeSlices('prompt-answer-6', { promptVersion: ['6'] }, { promptVersion: ['3'] });
    expect(slow.verdict).toBe('fail');
    expect(slow.reason).toMatch(/latency/);
    const swap = await judgeSlices('haiku-swap', { model: ['claude-haiku-4-5'] }, { model: ['gpt-4o-mini'] });
    expect(swap.judgement!.metrics.find((m) => m.metric === 'cost_per_request')?.classification).toBe('high');
    expect(swap.verdict).not.toBe('pass');
  });

  it('are recorded through the API and answered by the rollout gates', async () => {
    const app = createApiApp({
      jwtSecret: JWT,
      routes: alertsApiRoutes({ pool: db.pool, config: () => config }),
    });
    const token = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, JWT);
    const call = (path: string, body?: unknown) =>
      app.fetch(
        new Request(`http://vigil.test/api/v1${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
    const recorded = await call('/deployments', {
      deployment: 'prompt-answer-6-api',
      compare: { canary: { promptVersion: '6' }, baseline: { promptVersion: '3' } },
    });
    expect(recorded.status).toBe(201);
    const verdict = (await (await call('/gate/argo?deployment=prompt-answer-6-api')).json()) as Record<string, unknown>;
    expect(verdict).toMatchObject({ verdict: 'fail', ok: false, baseline: 'promptVersion=3' });
    const bad = await call('/deployments', { deployment: 'x', compare: { canary: {}, baseline: { model: 'a' } } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/names at least one key/);
  });
});
