// npm run bench:dashboard: how long each dashboard page takes, in headless Chromium on the
// production build, until its main chart (or, for list pages, its main table) is on screen.
//
// Data: the query benchmark's dataset (10M spans over 30 days in .vigil/bench-query; run
// `npm run bench:query` once to build it). Each page shows the dataset's last 24 hours, and is
// loaded 10 times after one warm-up load.
// Last line: dashboard slowest_page_p95_ms=<n> pages=<count>

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { migrate, signToken, startEmbeddedPostgres } from '@vigil/core';
import { buildDashboard } from '../../cli/src/dashboard.ts';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const root = path.resolve(import.meta.dirname, '../..');
const dashboardDir = path.resolve(import.meta.dirname, '..');
const nextBin = path.join(
  path.dirname(createRequire(path.join(dashboardDir, 'package.json')).resolve('next/package.json')),
  'dist/bin/next',
);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = randomBytes(32).toString('hex');

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const server = await startEmbeddedPostgres({
  dataDir: path.join(root, '.vigil/bench-query'),
  port: Number(process.env.BENCH_PG_PORT ?? 54341),
});
const url = server.url.replace(/\/postgres$/, '/vigil_bench_query');
let next: ReturnType<typeof spawn> | null = null;
try {
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch(() => {
    throw new Error(
      'no query-benchmark dataset: run `npm run bench:query` once first (it builds 10M spans in .vigil/bench-query)',
    );
  });
  await migrate(client);
  const { rows } = await client.query(`select project_id, end_ms, dataset from bench_meta`);
  const { rows: sizes } = await client.query(`select (select count(*) from spans)::float8 as spans`);
  const traceRow = await client.query(
    `select vigil_trace_hex(trace_id) as trace_id from spans where project_id = $1 and start_time > to_timestamp($2 / 1000.0) - interval '1 hour' limit 1`,
    [rows[0].project_id, Number(rows[0].end_ms)],
  );
  await client.end();
  const projectId: string = rows[0].project_id;
  const endMs = Number(rows[0].end_ms);
  log(
    `dataset ${rows[0].dataset}: ${sizes[0].spans} spans; pages show ${new Date(endMs - 86_400_000).toISOString()} → ${new Date(endMs).toISOString()}`,
  );

  await buildDashboard(log);
  const port = 46000 + Math.floor(Math.random() * 1000);
  const baseUrl = `http://127.0.0.1:${port}`;
  next = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: dashboardDir,
    env: { ...process.env, DATABASE_URL: url, VIGIL_JWT_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    next!.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/Ready in/.test(out)) resolve();
    });
    next!.once('exit', (code) => reject(new Error(`next start exited ${code}`)));
  });

  const window = `from=${encodeURIComponent(new Date(endMs - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(endMs).toISOString())}`;
  const pages: { name: string; path: string; ready: string }[] = [
    { name: 'overview', path: `/?${window}`, ready: '[data-testid="chart-latency"] svg.recharts-surface' },
    {
      name: 'latency',
      path: `/latency?${window}`,
      ready: '[data-testid="chart-latency-quantiles"] svg.recharts-surface',
    },
    { name: 'cost', path: `/cost?${window}`, ready: '[data-testid="chart-spend-by-model"] svg.recharts-surface' },
    {
      name: 'sessions',
      path: `/sessions?${window}`,
      ready: '[data-testid="top-sessions"], [data-testid="top-sessions-empty"]',
    },
    { name: 'trace', path: `/traces/${traceRow.rows[0].trace_id}?${window}`, ready: '[data-testid="waterfall"]' },
    {
      name: 'deployments',
      path: `/deployments?${window}`,
      ready: '[data-testid="deployment-list"], [data-testid="deployment-list-empty"]',
    },
    {
      name: 'alerts',
      path: `/alerts?${window}`,
      ready: '[data-testid="alert-instances"], [data-testid="alert-instances-empty"]',
    },
  ];

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([
    {
      name: 'vigil_token',
      value: await signToken({ role: 'authenticated', projectId, ttlSeconds: 3600 }, SECRET),
      url: baseUrl,
    },
  ]);
  // When the page drew its ready element, read in the page: from navigation start to the frame
  // after the element entered the DOM. Timing Playwright's waitForSelector instead counted its
  // polling backoff (checks 100 ms, then 500 ms apart), which added up to half a second to a load.
  await context.addInitScript(
    (selectors: string[]) => {
      // Runs in the page, whose globals this file's types do not describe.
      const { document, MutationObserver, requestAnimationFrame, window } = globalThis as any;
      const drawn: Record<string, number> = {};
      window.__vigilDrawn = drawn;
      const check = () => {
        for (const selector of selectors)
          if (drawn[selector] === undefined && document.querySelector(selector)) {
            drawn[selector] = -1;
            requestAnimationFrame(() => {
              drawn[selector] = performance.now();
            });
          }
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true });
    },
    pages.map((p) => p.ready),
  );
  const page = await context.newPage();
  const results: { name: string; p50: number; p95: number }[] = [];
  const only = process.env.BENCH_PAGES?.split(',');
  for (const target of pages.filter((p) => !only || only.includes(p.name))) {
    const times: number[] = [];
    for (let i = 0; i <= LOADS; i++) {
      const started = performance.now();
      await page.goto(`${baseUrl}${target.path}`, { waitUntil: 'commit' });
      const drawnMs = await page.waitForFunction(
        (selector) => {
          const at = (window as unknown as { __vigilDrawn?: Record<string, number> }).__vigilDrawn?.[selector];
          return at !== undefined && at >= 0 ? at : null;
        },
        target.ready,
        { timeout: 60_000 },
      );
      if (i > 0) times.push((await drawnMs.jsonValue()) as number);
      if (i > 0 && process.env.BENCH_DETAIL) {
        // Where a load's time goes: first byte, last byte (the streamed tables), DOM ready, chart.
        const nav = await page.evaluate(() =>
          JSON.stringify(
            (performance as unknown as { getEntriesByType(t: string): unknown[] }).getEntriesByType('navigation')[0],
          ),
        );
        const {
          responseStart = 0,
          responseEnd = 0,
          domContentLoadedEventEnd = 0,
        } = JSON.parse(nav) as Record<string, number>;
        log(
          `  ${target.name} first byte ${responseStart.toFixed(0)} ms, last byte ${responseEnd.toFixed(0)} ms, DOM ready ${domContentLoadedEventEnd.toFixed(0)} ms, ready ${times.at(-1)!.toFixed(0)} ms (outside ${(performance.now() - started).toFixed(0)})`,
        );
      }
    }
    times.sort((a, b) => a - b);
    const p95 = times[Math.ceil(0.95 * times.length) - 1]!;
    const p50 = times[Math.ceil(0.5 * times.length) - 1]!;
    results.push({ name: target.name, p50, p95 });
    log(
      `${target.name.padEnd(12)} p50 ${p50.toFixed(0).padStart(5)} ms   p95 ${p95.toFixed(0).padStart(5)} ms   (${LOADS} loads)`,
    );
  }
  await browser.close();
  const slowest = results.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  log(`slowest: ${slowest.name}; goal ≤ 1000 ms`);
  console.log(`dashboard slowest_page_p95_ms=${slowest.p95.toFixed(0)} pages=${results.length}`);
} finally {
  next?.kill('SIGTERM');
  await server.stop();
}
