// The dashboard in a real browser (Debian's chromium through playwright-core), on its production
// build, against a database of generated traffic and a real alert-engine tick: numbers on screen
// equal the query API's, filters change them, the CSV export matches the table, tenants and
// projects stay apart whatever the URL says, and a bad or expired token goes to the login page.
// Screenshots land in artifacts/screenshots/ (git-ignored).

import { enterStep, putOverrides, readAlerts, readDeployments, recordDeployment } from '@vigil/alerts';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bulkLoadSpans,
  createApiApp,
  createIngestKey,
  createProject,
  readCacheSavings,
  readMetrics,
  readSessionCostByTenant,
  readSli,
  readTopSessions,
  readTrace,
  readTraces,
  type MemberRole,
  inTransaction,
  putMember,
  type RunningServer,
  rotateIngestKey,
  serveApp,
  SERVICE_CALLER,
  signToken,
} from '@vigil/core';
import { createTestDatabase, type TestDatabase, generateSpans, rawHttpStatusLine } from '@vigil/testing';
import { AlertEngine } from '../../alerts/src/engine/engine.ts';
import { parseAlertsConfig } from '../../alerts/src/config/load.ts';
import { buildDashboard } from '../../cli/src/dashboard.ts';
import { alertsApiRoutes } from '../../alerts/src/api/index.ts';
import { formatCount, formatMs, formatPercent, formatUnitUsd, formatUsd } from '../lib/format.ts';

const SECRET = 'dashboard-e2e-secret-of-at-least-32-chars';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../artifacts/screenshots');
const dashboardDir = path.resolve(import.meta.dirname, '..');
const nextBin = path.join(
  path.dirname(createRequire(path.join(dashboardDir, 'package.json')).resolve('next/package.json')),
  'dist/bin/next',
);

let db: TestDatabase;
let server: ChildProcess;
let baseUrl: string;
let browser: Browser;
let apiServer: RunningServer;
let configFile: string;
let shop: string;
let other: string;
const now = Math.floor(Date.now() / 60_000) * 60_000;
const from = new Date(now - 3 * 3_600_000).toISOString();
const to = new Date(now).toISOString();
const windowQuery = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  db = await createTestDatabase();
  shop = (await createProject(db.pool, 'shop')).id;
  other = (await createProject(db.pool, 'other')).id;
  await bulkLoadSpans(
    db.pool,
    generateSpans({
      projectId: shop,
      fromMs: now - 3 * 3_600_000,
      toMs: now,
      requests: 900,
      seed: 3,
      deployments: ['v1', 'v2'],
      tenants: 4,
    }),
  );
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId: other, fromMs: now - 3 * 3_600_000, toMs: now, requests: 100, seed: 4, tenants: 2 }),
  );
  // Evaluation results on some of v1's and v2's calls: faithfulness 0.9 and 0.7.
  for (const [deployment, score] of [
    ['v1', 0.9],
    ['v2', 0.7],
  ] as const) {
    const scored = generateSpans({
      projectId: shop,
      fromMs: now - 3_600_000,
      toMs: now,
      requests: 20,
      seed: deployment === 'v1' ? 5 : 6,
      deployments: [deployment],
      tenants: 4,
    })
      .filter((span) => span.category === 'model')
      .map((span) => ({ ...span, evaluations: [{ name: 'faithfulness', score, label: null, atMs: span.startMs }] }));
    await bulkLoadSpans(db.pool, scored);
  }
  await db.pool.query(`insert into deployments (project_id, name, baseline, source) values ($1, 'v2', 'v1', 'api')`, [
    shop,
  ]);
  // The config the API and the dashboard both read: an SLO, and time budgets for the shop.
  const configInput = {
    slos: [{ name: 'chat-errors', project: 'shop', objective: 99.9, sli: { kind: 'errors' } }],
    timeBudgets: { project: 'shop', dependencies: { db: '300ms', model: '1.5s' } },
  };
  configFile = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-e2e-config-')), 'vigil.config.json');
  writeFileSync(configFile, JSON.stringify({ alerts: configInput }));
  const config = parseAlertsConfig(configInput);
  // The engine as if it had run for the last three hours (a tick every 15 minutes), so the SLO
  // tiles have burn history to draw.
  const clock = { now: now - 165 * 60_000 };
  const engine = new AlertEngine({ pool: db.pool, config: () => config, now: () => clock.now });
  for (; clock.now < now; clock.now += 15 * 60_000) await engine.tick();
  // A stepped rollout five minutes into its first step.
  await recordDeployment(db.pool, shop, {
    name: 'v3',
    baseline: 'v1',
    source: 'api',
    rollout: { steps: [5, 25, 100], minStepTimeMs: 10 * 60_000, cohort: 'tenants', tenants: ['tenant-0'] },
  });
  await enterStep(db.pool, config, {
    projectId: shop,
    projectName: 'shop',
    deployment: 'v3',
    toStep: 0,
    trigger: 'start',
    reason: 'rollout started',
    at: new Date(now - 5 * 60_000),
  });
  // Vigil's API (deployments, silences, definitions), which the dashboard calls for changes.
  apiServer = await serveApp(
    createApiApp({ jwtSecret: SECRET, routes: alertsApiRoutes({ pool: db.pool, config: () => config }) }),
    '127.0.0.1',
    0,
  );

  await buildDashboard(() => {});
  const port = 45000 + Math.floor(Math.random() * 1000);
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: dashboardDir,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      VIGIL_JWT_SECRET: SECRET,
      VIGIL_API_URL: apiServer.url,
      VIGIL_CONFIG: configFile,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/Ready in/.test(out)) resolve();
    });
    server.once('exit', (code) => reject(new Error(`next start exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await apiServer?.close();
  await db?.drop();
});

async function signedIn(claims: {
  projectId?: string;
  tenantId?: string;
  memberRole?: MemberRole;
  admin?: boolean;
  ttlSeconds?: number;
  colorScheme?: 'light' | 'dark';
}): Promise<Page> {
  const token = claims.admin
    ? await signToken({ role: 'service_role', ttlSeconds: claims.ttlSeconds ?? 600 }, SECRET)
    : await signToken(
        {
          role: 'authenticated',
          projectId: claims.projectId!,
          ...(claims.tenantId ? { tenantId: claims.tenantId } : {}),
          ...(claims.memberRole ? { memberRole: claims.memberRole } : {}),
          ttlSeconds: claims.ttlSeconds ?? 600,
        },
        SECRET,
      );
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: claims.colorScheme ?? 'light' })
  ).newPage();
  await page.goto(`${baseUrl}/auth?token=${token}`);
  // The sign-in link lands on the same host it was opened on, already signed in (or on the login
  // page when the token is refused).
  expect(new URL(page.url()).host).toBe(new URL(baseUrl).host);
  return page;
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();

describe('dashboard', () => {
  it('sends a visitor without a token to the login page, which says how to get one', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${baseUrl}/cost`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).host).toBe(new URL(baseUrl).host);
    expect(response!.request().redirectedFrom()?.url()).toBe(`${baseUrl}/cost`);
    expect(await page.getByTestId('login').textContent()).toContain('npx vigil token --project default');
    await page.close();
  });

  it('serves Vigil’s HTTP API too: the same answers and documents as the API server, bearer tokens not cookies', async () => {
    const token = await signToken({ role: 'authenticated', projectId: shop, ttlSeconds: 600 }, SECRET);
    const query = {
      window: { from, to },
      filters: { category: ['model'] },
      groupBy: ['model' as const],
      quantiles: [0.95],
    };
    const response = await fetch(`${baseUrl}/api/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(query),
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: unknown[] };
    const direct = await readMetrics(
      db.pool,
      { role: 'authenticated', projectId: shop },
      { projectId: shop, ...query },
    );
    expect(direct.length).toBeGreaterThan(0);
    expect(data).toEqual(JSON.parse(JSON.stringify(direct)));
    // No token: the API's own 401, not the dashboard's redirect to its login page.
    const refused = await fetch(`${baseUrl}/api/v1/metrics`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const document = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/metrics', '/api/v1/gate/argo', '/api/v1/deployments/{name}/rollback']),
    );
    // Its body limit holds here too, counted as the body streams: 4 MB chunked, no content-length.
    const huge = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(32));
        controller.close();
      },
    });
    const oversized = await fetch(`${baseUrl}/api/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: huge,
      duplex: 'half',
    } as RequestInit);
    expect(oversized.status).toBe(413);
  });

  it('sends a nonce script policy, refuses framing, and takes sign-in and sign-out posts only from itself', async () => {
    const page = await signedIn({ projectId: shop });
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const response = await page.goto(`${baseUrl}/?${windowQuery}`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    // The page's own scripts still run under the policy: its charts are drawn in the browser.
    await page.getByTestId('chart-latency').locator('svg.recharts-surface').first().waitFor();
    expect(blocked).toEqual([]);
    await page.close();

    const token = await signToken({ role: 'authenticated', projectId: shop, ttlSeconds: 600 }, SECRET);
    const post = (path: string, origin: string) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${token}`,
        redirect: 'manual',
      });
    const forged = await post('/auth', 'http://attacker.example');
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    const own = await post('/auth', baseUrl);
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toContain('vigil_token=');
    expect((await post('/logout', 'http://attacker.example')).status).toBe(403);
    expect((await post('/logout', baseUrl)).status).toBe(303);
    // A sign-in body is read only up to its limit, as it streams: 4 MB chunked, no content-length.
    const huge = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(97));
        controller.close();
      },
    });
    const oversized = await fetch(`${baseUrl}/auth`, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: huge,
      duplex: 'half',
      redirect: 'manual',
    } as RequestInit);
    expect(oversized.status).toBe(413);
    // A malformed Host header is the client's error.
    for (const host of ['a b', '[::1', 'x:99999'])
      expect(
        await rawHttpStatusLine(baseUrl, `GET /login HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 400/);
  });

  it('shows on the overview the numbers the query API gives, and filters change them', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/?${windowQuery}`);
    const [total] = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'] },
      quantiles: [0.95],
    });
    expect(await text(page, 'total-calls')).toBe(total!.spans.toLocaleString('en-US'));
    expect(await text(page, 'total-spend')).toBe(
      `$${total!.costUsd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
    );
    await page.getByTestId('chart-latency').locator('svg.recharts-surface').first().waitFor();
    expect(await page.getByTestId('slo-chat-errors').textContent()).toContain('chat-errors');
    // Error budget left over the SLO's 30 days, as the engine last computed it from the query API.
    const [instance] = (await readAlerts(db.pool, SERVICE_CALLER, { projectId: shop })).filter(
      (a) => a.name === 'chat-errors' && a.severity === 'page',
    );
    const end = new Date(instance!.evaluatedAt);
    const sli = await readSli(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(end.getTime() - 30 * 86_400_000), to: end },
      filters: { category: ['model'] },
    });
    expect(await text(page, 'slo-budget-chat-errors')).toBe(
      `error budget left${formatPercent(1 - sli.errors / sli.total / 0.001, 0)}`,
    );
    expect(await text(page, 'slo-current-chat-errors')).toBe(
      `${formatPercent(1 - sli.errors / sli.total, 2)}objective 99.9% over 30d`,
    );
    // The burn sparkline: one point per engine tick in range, peaking where the engine measured.
    const sparkline = page.getByTestId('sparkline-chat-errors');
    await sparkline.locator('svg.recharts-surface').waitFor();
    const { rows: samples } = await db.pool.query(
      `select value from alert_samples where fingerprint = $1 and at >= $2 and at < $3`,
      [instance!.fingerprint, from, to],
    );
    expect(samples).toHaveLength(11);
    expect(await sparkline.getAttribute('data-points')).toBe(String(samples.filter((r) => r.value !== null).length));
    expect(Number(await sparkline.getAttribute('data-peak'))).toBeCloseTo(
      Math.max(...samples.map((r) => r.value ?? 0)),
      9,
    );
    expect(await page.getByTestId('deployment-v2').textContent()).toContain('v1');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png'), fullPage: true });

    // The tile leads to the SLO's own page: its SLI and error budget over the 30 days, burn rates
    // per window, the alerts it raised, and the deployments drawn on its charts.
    await page.getByTestId('slo-link-chat-errors').click();
    await page.waitForURL(/\/slos\/chat-errors/);
    const periodEnd = Math.floor(Date.now() / 60_000) * 60_000;
    const period = await readSli(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(periodEnd - 30 * 86_400_000), to: new Date(periodEnd) },
      filters: { category: ['model'] },
    });
    expect(await text(page, 'slo-budget-left')).toBe(formatPercent(1 - period.errors / period.total / 0.001, 1));
    await page.getByTestId('chart-slo-sli').locator('svg.recharts-surface').waitFor();
    expect(Number(await page.getByTestId('chart-slo-sli').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('chart-slo-budget').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-slo-sli').textContent()).toContain('objective 99.9%');
    expect(await page.getByTestId('chart-slo-sli').textContent()).toContain('v2');
    const windows = await page.locator('[data-testid="slo-windows"] tbody tr').allTextContents();
    expect(windows.some((row) => row.startsWith('page'))).toBe(true);
    expect(windows.every((row) => /×.*×.*×$/.test(row))).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'slo-chat-errors.png'), fullPage: true });

    await page.goto(`${baseUrl}/?${windowQuery}&tenant=tenant-1`);
    const [tenantTotal] = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'], tenant_id: ['tenant-1'] },
      quantiles: [],
    });
    expect(await text(page, 'total-calls')).toBe(tenantTotal!.spans.toLocaleString('en-US'));
    expect(tenantTotal!.spans).toBeLessThan(total!.spans);
  });

  it('exports the per-tenant cost table as CSV with exactly the numbers shown', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/cost?${windowQuery}`);
    // The per-user table reads raw model calls: over the whole range up to a week, the last week past it.
    expect(await page.getByTestId('user-model-cost-title').textContent()).toBe('Cost per user and model');
    expect((await page.locator('[data-testid="user-model-cost"] tbody tr').count()) > 0).toBe(true);
    const shown = await page
      .locator('[data-testid="tenant-costs"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(shown.length).toBe(4);
    // Cache hits per surface and cache, and the spend they saved: the numbers core's readCacheSavings gives.
    const caches = await readCacheSavings(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
    });
    expect(caches.length).toBeGreaterThan(0);
    const cacheRows = await page
      .locator('[data-testid="cache-savings"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(cacheRows).toEqual(
      caches.map((c) => [
        c.surface ?? '(none)',
        c.cache ?? '(unnamed)',
        formatCount(c.hits + c.misses),
        formatPercent(c.hitRatio),
        formatCount(c.hits),
        c.meanModelCallUsd === null ? '—' : formatUsd(c.meanModelCallUsd),
        c.savedUsd === null ? '—' : formatUsd(c.savedUsd),
      ]),
    );
    const month = await signedIn({ projectId: shop });
    await month.goto(`${baseUrl}/cost?range=30d`);
    expect(await month.getByTestId('user-model-cost-title').textContent()).toBe(
      'Cost per user and model, last 7 days of the range',
    );
    const response = await page.request.get(`${baseUrl}/cost/tenants.csv?${windowQuery}`);
    expect(response.headers()['content-type']).toContain('text/csv');
    const csv = (await response.text())
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) =>
        line
          .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
          .filter((f) => f !== '')
          .map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"')),
      );
    expect(csv).toEqual(shown);
    const points = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'] },
      groupBy: ['tenant_id'],
      quantiles: [],
    });
    expect(shown.map((row) => row[0]).sort()).toEqual(points.map((p) => p.group.tenant_id).sort());
    // Requests (trace roots), cost per request and cost per session, as the query API has them.
    const roots = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      groupBy: ['tenant_id'],
      quantiles: [],
    });
    const sessionCost = await readSessionCostByTenant(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
    });
    for (const row of shown) {
      const spend = points.find((p) => p.group.tenant_id === row[0])!.costUsd;
      const requests = roots.find((p) => p.group.tenant_id === row[0])!.requests;
      const sessions = sessionCost.find((t) => t.tenantId === row[0])!;
      expect(row.slice(1, 7)).toEqual([
        formatUsd(spend),
        formatCount(requests),
        formatUnitUsd(spend / requests),
        expect.any(String),
        formatCount(sessions.sessions),
        formatUnitUsd(sessions.costPerSession),
      ]);
      expect(requests).toBeGreaterThan(0);
    }
    const [totals] = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'] },
      quantiles: [],
    });
    const mix = await page
      .locator('[data-testid="token-mix"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(mix.find((row) => row[0] === 'input, cache reads')![1]).toBe(
      totals!.tokens.cacheRead.toLocaleString('en-US'),
    );
    expect(mix.find((row) => row[0] === 'output, reasoning')![1]).toBe(
      totals!.tokens.reasoning.toLocaleString('en-US'),
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cost.png'), fullPage: true });
  });

  it('shows a tenant viewer only their tenant, even when the URL asks for another', async () => {
    const page = await signedIn({ projectId: shop, tenantId: 'tenant-2' });
    await page.goto(`${baseUrl}/cost?${windowQuery}&tenant=tenant-1`);
    const tenants = await page.locator('[data-testid="tenant-costs"] tbody tr td:first-child').allTextContents();
    expect(tenants).toEqual(['tenant-2']);
    const csv = await (await page.request.get(`${baseUrl}/cost/tenants.csv?${windowQuery}&tenant=tenant-1`)).text();
    expect(csv).not.toContain('tenant-1');
  });

  it('keeps a member in their project, even with another project in the URL; an admin can switch', async () => {
    const member = await signedIn({ projectId: shop });
    await member.goto(`${baseUrl}/?${windowQuery}&project=other`);
    expect(await member.locator('h1').textContent()).toContain('shop');
    const admin = await signedIn({ admin: true });
    await admin.goto(`${baseUrl}/?${windowQuery}&project=other`);
    expect(await admin.locator('h1').textContent()).toContain('other');
    const [otherTotal] = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: other,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'] },
      quantiles: [],
    });
    expect(await text(admin, 'total-calls')).toBe(otherTotal!.spans.toLocaleString('en-US'));
  });

  it('sends an expired or forged token to the login page, saying why', async () => {
    const expired = await signedIn({ projectId: shop, ttlSeconds: -60 });
    expect(new URL(expired.url()).pathname).toBe('/login');
    const fresh = await signedIn({ projectId: shop });
    expect(new URL(fresh.url()).pathname).toBe('/');
    expect(await fresh.getByTestId('total-calls').textContent()).toMatch(/\d/);
    expect(await expired.getByTestId('login-reason').textContent()).toContain('token expired');
    const context = await browser.newContext();
    await context.addCookies([
      {
        name: 'vigil_token',
        value: await signToken(
          { role: 'authenticated', projectId: shop, ttlSeconds: 600 },
          'another-secret-another-secret-1234',
        ),
        url: baseUrl,
      },
    ]);
    const forged = await context.newPage();
    await forged.goto(`${baseUrl}/`);
    expect(new URL(forged.url()).pathname).toBe('/login');
    expect(await forged.getByTestId('login-reason').textContent()).toContain('invalid token');
  });

  it('lists alert instances with what the engine saw, and their timeline', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/alerts?${windowQuery}`);
    const instances = await page.getByTestId('alert-instances').textContent();
    expect(instances).toContain('chat-errors');
    expect(instances).toMatch(/firing/);
    expect(instances).toMatch(/60m\/5m \d+\.\d×\/\d+\.\d× vs 14\.4×/);
    expect(await page.getByTestId('alert-timeline').textContent()).toContain('normal → firing');
    expect(await page.getByTestId('notifications-empty').textContent()).toContain('Nothing sent yet');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'alerts.png'), fullPage: true });
  });

  it('shows a canary against its baseline with the judge’s verdict and its history', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/deployments?${windowQuery}&canary=v2`);
    const [v2] = (await readDeployments(db.pool, SERVICE_CALLER, { projectId: shop })).filter((d) => d.name === 'v2');
    expect(v2!.verdict).not.toBeNull();
    const detail = await page.getByTestId('deployment-detail').textContent();
    expect(detail).toContain('v2 vs v1');
    expect(detail).toContain(v2!.judgement!.reason);
    expect(await page.getByTestId('judgement-history').textContent()).toContain(v2!.verdict!);
    const evaluations = await page.getByTestId('evaluation-scores').textContent();
    expect(evaluations).toMatch(/faithfulness\s*0\.700 \(\d+\)\s*0\.900 \(\d+\)/);
    await page.getByTestId('chart-canary-latency').locator('svg.recharts-surface').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'deployments.png'), fullPage: true });
  });

  it('shows a stepped rollout: its steps, the one it is on, when the next may come, and whom it serves', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/deployments?${windowQuery}&canary=v3`);
    const steps = page.getByTestId('rollout-steps');
    const text = await steps.textContent();
    expect(text).toMatch(/5%.*25%.*100%/);
    const [v3] = (await readDeployments(db.pool, SERVICE_CALLER, { projectId: shop })).filter((d) => d.name === 'v3');
    expect(text).toContain(
      `Next step not before ${v3!.rollout!.nextStepNotBefore!.slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(text).toContain('always tenant-0');
    expect(await steps.locator('[data-step-state="current"]').textContent()).toMatch(/^5%/);
    expect(await steps.locator('[data-step-state="next"]').count()).toBe(2);
    expect(await page.getByTestId('deployment-list').textContent()).toContain('5% (step 1/3)');
    await page.waitForLoadState('networkidle');
    await steps.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'deployments-rollout.png'), fullPage: true });
  });

  it('shows each time budget: p95 against the budget, the share over it, the worst offenders and the trend', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/time-budgets?${windowQuery}`);
    const table = await page.getByTestId('time-budgets').textContent();
    for (const [label, category, limit] of [
      ['db calls', 'db', 300],
      ['model calls', 'model', 1500],
    ] as const) {
      const [point] = await readMetrics(db.pool, SERVICE_CALLER, {
        projectId: shop,
        window: { from: new Date(from), to: new Date(to) },
        filters: { category: [category] },
        quantiles: [0.95],
      });
      expect(table).toContain(
        `${label}${formatMs(limit)}${formatCount(point!.spans)}${formatMs(point!.latencyMs.quantiles.p95!)}`,
      );
    }
    await page.getByTestId('chart-time-budget-trend').locator('svg.recharts-surface').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'time-budgets.png'), fullPage: true });
  });

  it('breaks latency down by model, surface or deployment, slowest p95 first, as the query API does', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/latency?${windowQuery}&by=surface`);
    const points = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      filters: { category: ['model'] },
      groupBy: ['surface'],
      quantiles: [0.5, 0.95, 0.99],
    });
    const expected = [...points]
      .sort((a, b) => (b.latencyMs.quantiles.p95 ?? -1) - (a.latencyMs.quantiles.p95 ?? -1))
      .map((p) => [p.group.surface, formatMs(p.latencyMs.quantiles.p95)]);
    const shown = await page
      .locator('[data-testid="latency-breakdown"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(shown.map((row) => [row[0], row[3]])).toEqual(expected);
    // Every table exports as CSV with the cells as shown.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('latency-breakdown-csv').click(),
    ]);
    const file = await download.path();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('surface,calls,p50,p95,p99,TTFT p95,errors');
    expect(
      lines.slice(1).map((line) =>
        line
          .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
          .filter((f) => f !== '')
          .map((f) => f.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"')),
      ),
    ).toEqual(shown);
    await page.getByTestId('chart-latency-histogram').locator('svg.recharts-surface').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'latency.png'), fullPage: true });
  });

  it('finds a session, lists its traces with their cost, and draws a trace as a waterfall with its TTFT', async () => {
    const page = await signedIn({ projectId: shop });
    const window = { from: new Date(from), to: new Date(to) };
    const [top] = await readTopSessions(db.pool, SERVICE_CALLER, { projectId: shop, window, limit: 1 });
    await page.goto(`${baseUrl}/sessions?${windowQuery}&q=${top!.sessionId}`);
    expect(await page.getByTestId('session-summary').textContent()).toContain(`tenant ${top!.tenantId}`);
    const traces = await readTraces(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window,
      sessionId: top!.sessionId,
      limit: 200,
    });
    expect(await page.locator('[data-testid="session-traces"] tbody tr').count()).toBe(traces.length);

    // By user: that user's sessions.
    const userSessions = await readTopSessions(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window,
      userId: top!.userId!,
      limit: 100,
    });
    await page.goto(`${baseUrl}/sessions?${windowQuery}&q=${top!.userId}`);
    expect(await page.locator('[data-testid="user-session-list"] tbody tr td:first-child').allTextContents()).toEqual(
      userSessions.map((s) => s.sessionId),
    );

    const spans = await readTrace(db.pool, SERVICE_CALLER, { projectId: shop, traceId: traces[0]!.traceId });
    // A log line the app wrote inside one of the spans (collector: span_logs).
    const logged = spans[spans.length - 1]!;
    await db.pool.query(
      `insert into span_logs (project_id, trace_id, span_id, at, digest, severity, body, attributes)
       values ($1, $2::uuid, vigil_span_id($3), $4, '\\x01', 13, '"retrying the vector store"', '{"attempt": 2}')`,
      [shop, traces[0]!.traceId, logged.spanId, new Date(Date.parse(logged.start) + 5)],
    );
    await page.goto(`${baseUrl}/sessions?${windowQuery}&q=${traces[0]!.traceId}`);
    expect(new URL(page.url()).pathname).toBe(`/traces/${traces[0]!.traceId}`);
    expect(await page.locator('[data-testid="waterfall"] > details').count()).toBe(spans.length);
    expect(await page.getByTestId('ttft-marker').count()).toBe(spans.filter((s) => s.ttftMs !== null).length);
    const loggedSpan = page.getByTestId(`span-${logged.spanId}`);
    expect(await loggedSpan.getByTestId('log-count').textContent()).toBe('1 log');
    await loggedSpan.locator('summary').click();
    const logText = (await loggedSpan.getByTestId('span-logs').textContent())?.replace(/\s+/g, ' ');
    expect(logText).toBe('+5 ms WARN retrying the vector store {"attempt":2}');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'trace.png'), fullPage: true });
    // A trace of another project is not found, whatever the id.
    const [otherTrace] = await readTraces(db.pool, SERVICE_CALLER, { projectId: other, window, limit: 1 });
    // (The page streams, so the answer is the not-found page rather than a 404 status.)
    await page.goto(`${baseUrl}/traces/${otherTrace!.traceId}`);
    await page.getByText('This page could not be found').waitFor();
    expect(await page.getByTestId('waterfall').count()).toBe(0);
  });

  it('lists the SLO definitions, and creates and expires a silence from the Alerts page', async () => {
    const page = await signedIn({ projectId: shop });
    await page.goto(`${baseUrl}/alerts?${windowQuery}`);
    expect(await page.getByTestId('alert-definitions').textContent()).toContain('errors for 99.9%');
    await page.locator('[data-testid="silence-form"] input[name="matchers"]').fill('slo=chat-errors');
    await page.locator('[data-testid="silence-form"] input[name="comment"]').fill('maintenance');
    await page.locator('[data-testid="silence-form"] button').click();
    await page.getByTestId('notice').waitFor();
    expect(await page.getByTestId('notice').textContent()).toBe('Silence created.');
    expect(await page.getByTestId('silences').textContent()).toContain('slo=chat-errors');
    await page.getByRole('button', { name: 'expire now' }).click();
    await page.waitForURL(/notice=Silence\+expired|notice=Silence%20expired/);
    expect(await page.getByTestId('silences').textContent()).toContain('expired');
    // The Audit page has both changes, with who made them and from where; its filter narrows them.
    await page.goto(`${baseUrl}/audit`);
    const trail = await page.getByTestId('audit-events').textContent();
    expect(trail).toMatch(/silence\.expired.*token:member.*api/);
    expect(trail).toMatch(/silence\.created.*token:member.*api.*"comment":"maintenance"/);
    await page.getByTestId('audit-filter-silence.expired').click();
    await page.waitForURL(/action=silence\.expired/);
    const filtered = await page.getByTestId('audit-events').textContent();
    expect(filtered).toContain('silence.expired');
    expect(filtered).not.toContain('silence.created');
  });

  it("lists the project's ingest keys with last use, expiry and state, never the keys themselves", async () => {
    await createProject(db.pool, 'keyed');
    const kept = await createIngestKey(db.pool, 'keyed', 'app', { expiresInMs: 90 * 86_400_000 });
    const old = await createIngestKey(db.pool, 'keyed', 'deploy-bot');
    const rotated = await rotateIngestKey(db.pool, old.info.id, 3_600_000);
    const page = await signedIn({ projectId: kept.info.projectId, memberRole: 'admin' });
    await page.goto(`${baseUrl}/keys`);
    const rows = await page.locator('[data-testid="ingest-keys"] tbody tr').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes(old.info.prefix))).toMatch(/deploy-bot.*never.*rotated/);
    expect(rows.find((r) => r.includes(rotated.info.prefix))).toMatch(/deploy-bot.*never.*active/);
    expect(rows.find((r) => r.includes(kept.info.prefix))).toMatch(/app.*never.*expiring/);
    const html = await page.content();
    for (const key of [kept.key, old.key, rotated.key]) expect(html).not.toContain(key);
  });

  it("shows admins the project's members and alerting overrides, each as stored", async () => {
    const project = await createProject(db.pool, 'membered');
    const user = '7b2a3c4d-1111-4222-8333-444455556666';
    await inTransaction(db.pool, (client) =>
      putMember(client, { projectId: project.id, userId: user, role: 'finance', tenantId: 'acme' }),
    );
    const page = await signedIn({ projectId: project.id, memberRole: 'admin' });
    await page.goto(`${baseUrl}/members`);
    const rows = await page.locator('[data-testid="members"] tbody tr').allTextContents();
    expect(rows).toEqual([expect.stringMatching(new RegExp(`${user}financeacme`))]);
    expect(await page.getByTestId('alert-overrides-none').count()).toBe(1);
    await putOverrides(db.pool, project.id, {
      slos: [{ name: 'chat-latency', objective: 99.5, sli: { kind: 'latency', thresholdMs: 800 } }],
    });
    await page.reload();
    expect(await page.getByTestId('alert-overrides').textContent()).toMatch(/SLOschat-latency/);

    // An admin adds a member, changes their role, and removes them, through the API.
    const form = page.getByTestId('member-form');
    const newcomer = '8c3b4d5e-2222-4333-8444-555566667777';
    await form.locator('input[name="userId"]').fill(newcomer);
    await form.locator('select[name="role"]').selectOption('operator');
    await form.locator('button').click();
    await page.waitForURL(/notice=Added/);
    expect(await page.getByTestId('notice').textContent()).toBe(`Added member ${newcomer}.`);
    const newcomerRow = page.locator('[data-testid="members"] tbody tr', { hasText: newcomer });
    expect(await newcomerRow.textContent()).toMatch(new RegExp(`${newcomer}operatorevery tenant`));
    await form.locator('input[name="userId"]').fill(newcomer);
    await form.locator('select[name="role"]').selectOption('viewer');
    await form.locator('input[name="tenantId"]').fill('globex');
    await form.locator('button').click();
    await page.waitForURL(/notice=Changed/);
    expect(await newcomerRow.textContent()).toMatch(new RegExp(`${newcomer}viewerglobex`));
    // What the API refuses is said in its words.
    await form.locator('input[name="userId"]').fill('not-a-uuid');
    await form.locator('button').click();
    await page.waitForURL(/notice=Member/);
    expect(await page.getByTestId('notice').textContent()).toMatch(/^Member not saved: .*UUID/);
    await newcomerRow.getByRole('button', { name: 'remove' }).click();
    await page.waitForURL(/notice=Removed/);
    expect(await page.locator('[data-testid="members"] tbody tr').count()).toBe(1);
    const { rows: audited } = await db.pool.query(
      `select action, before, after from audit_events where project_id = $1 and target = $2 order by at, id`,
      [project.id, newcomer],
    );
    expect(audited).toEqual([
      { action: 'member.added', before: null, after: { role: 'operator', tenant: null } },
      {
        action: 'member.changed',
        before: { role: 'operator', tenant: null },
        after: { role: 'viewer', tenant: 'globex' },
      },
      { action: 'member.removed', before: { role: 'viewer', tenant: 'globex' }, after: null },
    ]);
  });

  it('shows each role only the pages it may open, and says why a page is refused', async () => {
    const navOf = async (page: Page) => (await page.locator('header nav a').allTextContents()).map((t) => t.trim());
    const finance = await signedIn({ projectId: shop, memberRole: 'finance' });
    // Finance lands on Cost (Overview is health) and its navigation has Cost alone. (The page
    // streams, so Next.js redirects in the browser, at times before the first page's load event,
    // which then interrupts the goto: wait for the response alone, then for the redirect.)
    await finance.goto(`${baseUrl}/?${windowQuery}`, { waitUntil: 'commit' });
    await finance.waitForURL((url) => url.pathname === '/cost');
    expect(await navOf(finance)).toEqual(['Cost']);
    expect(await finance.getByTestId('signed-in-role').textContent()).toBe('finance');
    await finance.goto(`${baseUrl}/sessions?${windowQuery}`, { waitUntil: 'commit' });
    await finance.waitForURL((url) => url.pathname === '/denied');
    expect(await finance.getByTestId('denied-reason').textContent()).toBe(
      'You are signed in as finance: a finance cannot read traces: that needs the viewer, operator or admin role.',
    );
    const viewer = await signedIn({ projectId: shop, memberRole: 'viewer' });
    await viewer.goto(`${baseUrl}/?${windowQuery}`);
    expect(await navOf(viewer)).toEqual([
      'Overview',
      'Latency',
      'Time budgets',
      'Cost',
      'Sessions',
      'Deployments',
      'Alerts',
      'Audit',
    ]);
    for (const adminPage of ['/keys', '/members']) {
      await viewer.goto(`${baseUrl}${adminPage}`, { waitUntil: 'commit' });
      await viewer.waitForURL((url) => url.pathname === '/denied');
    }
    await viewer.goto(`${baseUrl}/alerts?${windowQuery}`);
    expect(await viewer.getByTestId('silence-form').count()).toBe(0);
  });

  it('lets an operator roll a canary back from the Deployments page (viewers see no buttons)', async () => {
    const viewer = await signedIn({ projectId: shop, memberRole: 'viewer' });
    await viewer.goto(`${baseUrl}/deployments?${windowQuery}&canary=v2`);
    expect(await viewer.getByTestId('deployment-actions').count()).toBe(0);
    const operator = await signedIn({ projectId: shop, memberRole: 'operator' });
    await operator.goto(`${baseUrl}/deployments?${windowQuery}&canary=v2`);
    await operator.getByRole('button', { name: 'Roll back' }).click();
    await operator.getByTestId('notice').waitFor();
    expect(await operator.getByTestId('notice').textContent()).toBe('v2: rolled back.');
    expect(await operator.getByTestId('rollback-record').textContent()).toMatch(/by manual: from the dashboard/);
    const [v2] = (await readDeployments(db.pool, SERVICE_CALLER, { projectId: shop })).filter((d) => d.name === 'v2');
    expect(v2!.state).toBe('rolled_back');
  });

  it('draws every page legibly in the light and the dark theme (WCAG AA text contrast, no control drawn over another or over text)', async () => {
    const illegible: string[] = [];
    const overlapping: string[] = [];
    const [trace] = await readTraces(db.pool, SERVICE_CALLER, {
      projectId: shop,
      window: { from: new Date(from), to: new Date(to) },
      limit: 1,
    });
    const pages = [
      ['overview', '/'],
      ['latency', '/latency'],
      ['time-budgets', '/time-budgets'],
      ['cost', '/cost'],
      ['sessions', '/sessions'],
      ['trace', `/traces/${trace!.traceId}`],
      ['deployments', '/deployments?canary=v2'],
      ['alerts', '/alerts'],
      ['audit', '/audit'],
      ['keys', '/keys'],
      ['members', '/members'],
      ['slo', '/slos/chat-errors'],
      ['denied', '/denied?need=administer'],
      ['login', '/login?reason=expired'],
    ] as const;
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await signedIn({ projectId: shop, memberRole: 'admin', colorScheme });
      for (const [name, route] of pages) {
        await page.goto(`${baseUrl}${route}${route.includes('?') ? '&' : '?'}${windowQuery}`);
        await page.waitForLoadState('networkidle');
        if (colorScheme === 'dark')
          await page.screenshot({ path: path.join(SCREENSHOTS, `dark-${name}.png`), fullPage: true });
        for (const text of await page.evaluate(illegibleText, 4.5)) illegible.push(`${colorScheme} ${name}: ${text}`);
        if (colorScheme === 'light') {
          // The width the layout defects were seen at, and a narrow laptop's.
          for (const width of [1440, 1280]) {
            await page.setViewportSize({ width, height: 900 });
            for (const overlap of await page.evaluate(overlappingControls))
              overlapping.push(`${name} at ${width}px: ${overlap}`);
          }
        }
      }
    }
    expect(illegible).toEqual([]);
    expect(overlapping).toEqual([]);
  });
});

describe('npx vigil up --demo', () => {
  const vigilBin = path.resolve(import.meta.dirname, '../../cli/bin/vigil.mjs');

  it('serves a live dashboard of the demo traffic: every page, SLO tiles with burn history, budgets, the canary', async () => {
    const demoDb = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-demo-e2e-'));
    const port = 46000 + Math.floor(Math.random() * 1000);
    const vigil = spawn(process.execPath, [vigilBin, 'up', '--demo'], {
      env: {
        ...process.env,
        DATABASE_URL: demoDb.url,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_COLLECTOR_PORT: '0',
        VIGIL_COLLECTOR_HEALTH_PORT: '0',
        VIGIL_COLLECTOR_GRPC_PORT: '0',
        VIGIL_API_PORT: '0',
        VIGIL_DASHBOARD_PORT: String(port),
        VIGIL_JWT_SECRET: SECRET,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    vigil.stderr!.on('data', (d: Buffer) => (log += d));
    const exited = new Promise<number | null>((resolve) => vigil.once('exit', resolve));
    try {
      await until(
        () => /demo: example app/.test(log),
        90_000,
        () => `vigil up --demo did not start:\n${log}`,
      );
      const dashboardUrl = /dashboard: (http\S+)/.exec(log)![1]!;
      expect(log).not.toContain('dashboard: building');
      const demo = (await demoDb.pool.query<{ id: string }>(`select id from projects where name = 'demo'`)).rows[0]!.id;
      // Model calls have arrived (and settled: more than 10 s old), then the engine (every 10 s) has
      // judged the demo's SLOs on them and synced its budgets.
      const count = async (sql: string, params: unknown[]) =>
        (await demoDb.pool.query<{ n: number }>(sql, params)).rows[0]!.n;
      await until(
        async () =>
          (await count(
            `select count(*)::int as n from spans where project_id = $1 and category = 'model' and start_time < now() - interval '10 seconds'`,
            [demo],
          )) >= 20,
        90_000,
        () => `no settled model calls in the demo project:\n${log}`,
      );
      const settled = new Date();
      await until(
        async () =>
          (await count(
            `select count(*)::int as n from alert_instances where project_id = $1 and kind = 'slo' and evaluated_at > $2`,
            [demo, settled],
          )) >= 6,
        60_000,
        () => `the engine did not evaluate the demo's SLOs:\n${log}`,
      );
      const token = await signToken({ role: 'authenticated', projectId: demo, ttlSeconds: 600 }, SECRET);
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await page.goto(`${dashboardUrl}/auth?token=${token}`);

      // The page's count lies between the query API's answers just before and just after it loaded
      // (spans only ever arrive; late ones may still be in flight for the last seconds).
      const window = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() - 10_000) };
      const ask = async () =>
        (
          await readMetrics(demoDb.pool, SERVICE_CALLER, {
            projectId: demo,
            window,
            filters: { category: ['model'] },
            quantiles: [],
          })
        )[0]?.spans ?? 0;
      const before = await ask();
      await page.goto(`${dashboardUrl}/?from=${window.from.toISOString()}&to=${window.to.toISOString()}`);
      const shown = Number((await text(page, 'total-calls'))!.replaceAll(',', ''));
      const after = await ask();
      expect(before).toBeGreaterThan(0);
      expect(shown).toBeGreaterThanOrEqual(before);
      expect(shown).toBeLessThanOrEqual(after);

      // Live: the last hour, loaded again a few seconds later, has more calls (reloaded every 2 s,
      // for up to 30 s on a busy machine).
      const shownCalls = async () => Number((await text(page, 'total-calls'))!.replaceAll(',', ''));
      await page.goto(`${dashboardUrl}/?range=1h`);
      const earlier = await shownCalls();
      let later = earlier;
      for (let waited = 0; later <= earlier && waited < 30_000; waited += 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await page.reload();
        later = await shownCalls();
      }
      expect(later).toBeGreaterThan(earlier);
      for (const slo of ['chat-ttft', 'chat-errors', 'chat-cost'])
        expect(await page.getByTestId(`slo-${slo}`).count()).toBe(1);
      await page.getByTestId('sparkline-chat-errors').locator('svg.recharts-surface').waitFor();
      expect(Number(await page.getByTestId('sparkline-chat-errors').getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await page.getByTestId('deployment-v2-canary').textContent()).toContain('v1');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-overview.png'), fullPage: true });

      // Every page draws from the demo's data, none falls into the error page.
      const checks: [string, string][] = [
        ['latency', 'latency-breakdown'],
        ['cost', 'tenant-costs'],
        ['sessions', 'top-sessions'],
        ['deployments', 'deployment-list'],
        ['alerts', 'alert-definitions'],
      ];
      for (const [route, testId] of checks) {
        await page.goto(`${dashboardUrl}/${route}?range=1h`);
        await page.getByTestId(testId).waitFor();
        expect(await page.getByTestId('page-error').count()).toBe(0);
        await page.screenshot({ path: path.join(SCREENSHOTS, `demo-${route}.png`), fullPage: true });
      }
      await page.goto(`${dashboardUrl}/cost?range=1h`);
      const tenant0 = await page.locator('[data-testid="tenant-tenant-0"] td').allTextContents();
      expect(tenant0[7]).toBe('$40.00');
      await page.goto(`${dashboardUrl}/alerts?range=1h`);
      expect(await page.getByTestId('alert-definitions').textContent()).toContain('chat-ttft');

      // A week of history at first open, through the collector: a point on every day of it, and
      // day five's canary, judged failing and rolled back by the engine, with Slack told.
      expect(log).toMatch(/demo: sent the past 7 days through the collector/);
      const week = { from: new Date(Date.now() - 7 * 86_400_000), to: new Date() };
      const days = await readMetrics(demoDb.pool, SERVICE_CALLER, {
        projectId: demo,
        window: week,
        stepMs: 86_400_000,
        filters: { category: ['model'] },
        quantiles: [],
      });
      expect(days.filter((d) => d.modelCalls > 0).length).toBeGreaterThanOrEqual(7);
      expect(log).toMatch(/day five's canary v1\.1-canary: verdict fail, rolled back at \S+, [1-9]\d* Slack messages/);
      // The stand-in for Slack got the engine's messages; the Alerts page shows what they said.
      await page.goto(`${dashboardUrl}/alerts?range=7d`);
      const sent = await page.locator('[data-testid="notifications"] tbody tr').allTextContents();
      expect(sent.some((row) => /slack \(VIGIL_DEMO_SLACK_URL\).*v1\.1-canary.*sent/.test(row))).toBe(true);
      await page.goto(`${dashboardUrl}/deployments?range=7d&canary=v1.1-canary`);
      expect(await page.getByTestId('deployment-list').textContent()).toMatch(/v1\.1-canary/);
      expect(await page.getByTestId('rollback-record').textContent()).toMatch(/canary judge: Fail/);
      await page.goto(`${dashboardUrl}/?range=7d`);
      // Streamed in: wait until it is on screen, not only in the page.
      await page.getByTestId('total-calls').waitFor({ state: 'visible' });
      expect(Number((await text(page, 'total-calls'))!.replaceAll(',', ''))).toBeGreaterThan(1000);
      expect(await page.getByTestId('page-error').count()).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-week.png'), fullPage: true });
    } finally {
      vigil.kill('SIGTERM');
      expect(await exited).toBe(0);
      await demoDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Interactive elements (links, buttons, inputs, tabs) drawn over one another or over text outside
 * them (runs in the page): the layout defects a screenshot shows and a DOM check does not.
 */
function overlappingControls(): string[] {
  type El = any;
  const { document, NodeFilter } = globalThis as any;
  type Box = { left: number; top: number; right: number; bottom: number };
  const area = (a: Box, b: Box) =>
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  // checkVisibility also says no for what a closed <details> holds (laid out, not drawn).
  const visible = (el: El) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const label = (el: El) =>
    `${el.tagName.toLowerCase()} "${String(el.textContent ?? el.getAttribute('aria-label') ?? '')
      .trim()
      .slice(0, 30)}"`;
  const controls: El[] = [
    ...document.querySelectorAll('a, button, select, input, textarea, summary, [role="button"], [role="tab"]'),
  ].filter(visible);
  const found = new Set<string>();
  for (let i = 0; i < controls.length; i++)
    for (let j = i + 1; j < controls.length; j++) {
      const [a, b] = [controls[i], controls[j]];
      if (a.contains(b) || b.contains(a)) continue;
      if (area(a.getBoundingClientRect(), b.getBoundingClientRect()) > 4) found.add(`${label(a)} over ${label(b)}`);
    }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent?.trim();
    const parent = node.parentElement;
    if (!text || !parent || !visible(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const boxes: Box[] = [...range.getClientRects()];
    for (const control of controls) {
      if (control.contains(node)) continue;
      const box = control.getBoundingClientRect();
      if (boxes.some((b) => area(b, box) > 4)) found.add(`${label(control)} over text "${text.slice(0, 30)}"`);
    }
  }
  return [...found];
}

/** Text whose colour against its background falls under a WCAG contrast ratio (runs in the page). */
function illegibleText(minimum: number): string[] {
  // The browser's globals, untyped: this file is compiled for Node, without the DOM library.
  type El = any;
  const { document, getComputedStyle, NodeFilter } = globalThis as any;
  type Rgba = { r: number; g: number; b: number; a: number };
  const parse = (css: string): Rgba | null => {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    if (!m) return null;
    const [r = 0, g = 0, b = 0, a = 1] = m[1]!
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }: Rgba) => {
    const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el: El): Rgba => {
    for (let e: El = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const found = new Set<string>();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent?.trim();
    const el = walker.currentNode.parentElement;
    if (!text || !el) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || style.opacity === '0') continue;
    const fg = parse(el.closest('svg') ? style.fill : style.color);
    if (!fg) continue;
    const [hi, lo] = [luminance(fg), luminance(background(el))].sort((x, y) => y - x) as [number, number];
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < minimum)
      found.add(
        `${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '')
          .split(' ')
          .slice(0, 2)
          .join('.')} "${text.slice(0, 24)}" ${ratio.toFixed(2)}`,
      );
  }
  return [...found];
}
