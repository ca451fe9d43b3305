// `vigil check` as a CI job runs it: a real process against real Postgres with generated traffic,
// exit 0 pass, 1 fail, 2 inconclusive, 3 could not check; Markdown for $GITHUB_STEP_SUMMARY and JSON.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsApiRoutes, loadAlertsConfig } from '@vigil/alerts';
import { bulkLoadSpans, createApiApp, createProject, type RunningServer, serveApp, signToken } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { loadTraffic, modelCalls } from '../../alerts/test/support/traffic.ts';
import { runVigil } from './support/run-vigil.ts';

let db: TestDatabase;
let dir: string;
let env: Record<string, string>;
let api: RunningServer;
let projectToken: string;
let tenantToken: string;
const JWT = 'a-jwt-secret-for-tests-only-32-chars-long';

/** `vigil check …` with this test's database and config. */
const vigil = (args: string[]) => runVigil(['check', ...args], env);

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-check-'));
  const projectId = (await createProject(db.pool, 'default')).id;
  const now = Date.now();
  const run = (deployment: string, count: number, extra: Record<string, number> = {}) =>
    loadTraffic(db.pool, { projectId, fromMs: now - 20 * 60_000, toMs: now - 1000, count, deployment, ...extra });
  await run('main', 400, { costUsd: 0.002, latencyMs: 400, seed: 1 });
  await run('ci-cheap', 200, { costUsd: 0.002, latencyMs: 400, seed: 2 });
  await run('ci-pricey', 200, { costUsd: 0.006, latencyMs: 1500, errorRate: 0.3, seed: 3 });
  await run('ci-few', 6, { costUsd: 0.002, seed: 4 });
  // Evaluation results: faithfulness around 0.8 on main and a good run, 0.6 on a worse one.
  let s = 17;
  const noise = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return ((s + 0.5) / 2 ** 32 - 0.5) * 0.3;
  };
  for (const [deployment, mean] of [
    ['eval-main', 0.8],
    ['eval-good', 0.8],
    ['eval-worse', 0.6],
  ] as const) {
    const calls = modelCalls({
      projectId,
      fromMs: now - 10 * 60_000,
      toMs: now - 1000,
      count: 150,
      deployment,
      seed: 9,
    });
    for (const call of calls)
      call.evaluations = [{ name: 'faithfulness', score: mean + noise(), label: null, atMs: call.startMs + 1 }];
    await bulkLoadSpans(db.pool, calls);
  }
  const config = path.join(dir, 'vigil.config.yaml');
  writeFileSync(
    config,
    ['alerts:', '  slos:', '    - name: chat-errors', '      objective: 99', '      sli: { kind: errors }', ''].join(
      '\n',
    ),
  );
  env = { DATABASE_URL: db.url, VIGIL_CONFIG: config, VIGIL_DATA_DIR: dir };
  const alerts = await loadAlertsConfig(config);
  api = await serveApp(
    createApiApp({ jwtSecret: JWT, routes: alertsApiRoutes({ pool: db.pool, config: () => alerts }) }),
    '127.0.0.1',
    0,
  );
  projectToken = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, JWT);
  tenantToken = await signToken({ role: 'authenticated', projectId, tenantId: 'tenant-0', ttlSeconds: 600 }, JWT);
});

afterAll(async () => {
  await api.close();
  await db.drop();
});

describe('vigil check', () => {
  it('cost: passes under the limit, fails over it, and is inconclusive on a handful of requests', async () => {
    const pass = await vigil(['cost', '--deployment', 'ci-cheap', '--max-usd-per-request', '0.003']);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/^### Vigil cost check: ✅ pass/);
    expect(pass.stdout).toMatch(
      /\| cost per request \| \$0\.00\d+ \(95% CI \$0\.00\d+–\$0\.00\d+\) \| ≤ \$0\.00300 \|/,
    );
    const fail = await vigil(['cost', '--deployment', 'ci-pricey', '--max-usd-per-request', '0.003']);
    expect(fail.code).toBe(1);
    const few = await vigil(['cost', '--deployment', 'ci-few', '--max-usd-per-request', '0.0001']);
    expect(few.code).toBe(2);
    expect(few.stdout).toContain('6 priced request(s): fewer than 20, too few to decide');
  });

  it('cost: compares with a baseline and forecasts the month, as JSON and into the step summary', async () => {
    const summary = path.join(dir, 'step-summary.md');
    const run = await vigil([
      'cost',
      '--deployment',
      'ci-pricey',
      '--baseline',
      'main',
      '--max-increase',
      '20%',
      '--requests-per-month',
      '100000',
      '--max-usd-per-month',
      '1000',
      '--json',
      '--summary',
      summary,
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ check: 'cost', verdict: 'fail', figures: { requests: 200, baselineRequests: 400 } });
    expect(report.figures.increase).toBeGreaterThan(1.5);
    expect(report.findings.map((f: { verdict: string }) => f.verdict)).toEqual(['pass', 'fail']);
    expect(readFileSync(summary, 'utf8')).toContain('| cost per request vs main |');
  });

  it('latency: judges the p95 against a limit and a baseline', async () => {
    expect((await vigil(['latency', '--deployment', 'ci-cheap', '--max-ms', '2000'])).code).toBe(0);
    const slower = await vigil(['latency', '--deployment', 'ci-pricey', '--baseline', 'main', '--max-increase', '25']);
    expect(slower.code).toBe(1);
    expect(slower.stdout).toMatch(/request latency p95 vs main/);
    expect((await vigil(['latency', '--deployment', 'ci-few', '--max-ms', '1'])).code).toBe(2);
  });

  it('slo: fails when a run burns its error budget past the page threshold, passes when it does not', async () => {
    const burning = await vigil(['slo', '--deployment', 'ci-pricey']);
    expect(burning.code).toBe(1);
    expect(burning.stdout).toMatch(/chat-errors \(.*99%\)/);
    expect((await vigil(['slo', '--deployment', 'ci-cheap'])).code).toBe(0);
    expect((await vigil(['slo', '--deployment', 'never-ran'])).code).toBe(2);
  });

  it('evals: fails a significant drop against the baseline, passes a run like it, checks a minimum', async () => {
    const worse = await vigil([
      'evals',
      '--deployment',
      'eval-worse',
      '--name',
      'faithfulness',
      '--baseline',
      'eval-main',
    ]);
    expect(worse.code).toBe(1);
    expect(worse.stdout).toMatch(/\| faithfulness vs eval-main \| 0\.\d{3} vs 0\.\d{3} \(drop 0\.\d{3}/);
    const good = await vigil([
      'evals',
      '--deployment',
      'eval-good',
      '--name',
      'faithfulness',
      '--baseline',
      'eval-main',
    ]);
    expect(good.code).toBe(0);
    expect((await vigil(['evals', '--deployment', 'eval-good', '--name', 'faithfulness', '--min', '0.7'])).code).toBe(
      0,
    );
    const none = await vigil(['evals', '--deployment', 'eval-good', '--name', 'no-such-eval', '--min', '0.7']);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('0 scored result(s)');
  });

  it('asks the API instead of the database with --api and a project token, with the same verdicts', async () => {
    const remote = (args: string[], token = projectToken) => vigil([...args, '--api', api.url, '--token', token]);
    const pass = await remote(['cost', '--deployment', 'ci-cheap', '--max-usd-per-request', '0.003', '--json']);
    expect(pass.code).toBe(0);
    const local = await vigil(['cost', '--deployment', 'ci-cheap', '--max-usd-per-request', '0.003', '--json']);
    expect(JSON.parse(pass.stdout).figures).toEqual(JSON.parse(local.stdout).figures);
    expect(
      (await remote(['latency', '--deployment', 'ci-pricey', '--baseline', 'main', '--max-increase', '25'])).code,
    ).toBe(1);
    expect(
      (await remote(['evals', '--deployment', 'eval-worse', '--name', 'faithfulness', '--baseline', 'eval-main'])).code,
    ).toBe(1);
    expect((await remote(['slo', '--deployment', 'ci-pricey'])).code).toBe(1);
    const refused = await remote(['cost', '--deployment', 'ci-cheap', '--max-usd-per-request', '1'], tenantToken);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/the API answered 403/);
    const invalid = await remote(['cost', '--deployment', 'ci-cheap', '--baseline', 'main']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/the API answered 400: .*--baseline and --max-increase together/);
    const away = await vigil(['slo', '--api', 'http://127.0.0.1:9', '--token', projectToken]);
    expect(away.code).toBe(3);
  });

  it('exits 3 with a message when it cannot check', async () => {
    const noLimit = await vigil(['cost', '--deployment', 'ci-cheap']);
    expect(noLimit.code).toBe(3);
    expect(noLimit.stderr).toMatch(/could not check: give a limit/);
    const badPercent = await vigil([
      'cost',
      '--deployment',
      'ci-cheap',
      '--baseline',
      'main',
      '--max-increase',
      'lots',
    ]);
    expect(badPercent.code).toBe(3);
    expect(badPercent.stderr).toMatch(/--max-increase is a percentage/);
    const noProject = await vigil(['slo', '--project', 'nope']);
    expect(noProject.code).toBe(3);
    expect(noProject.stderr).toMatch(/no project named "nope"/);
  });
});
