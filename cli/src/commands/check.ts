// `vigil check cost|latency|evals|slo`: CI gates. Each prints a Markdown summary (for
// $GITHUB_STEP_SUMMARY; --summary <file> appends it there) or, with --json, the whole report, and
// exits 0 pass, 1 fail, 2 inconclusive, 3 when it could not check (bad options, no database, the
// API away). With --api (or VIGIL_API_URL) and a project token it asks Vigil's API
// (POST /api/v1/checks/…) instead of the database, so a CI runner needs no database URL.

import { appendFileSync } from 'node:fs';
import {
  CHECK_EXIT,
  type CheckReport,
  checkCost,
  checkEvals,
  checkLatency,
  checkReportSchema,
  checkSlo,
  ConfigSource,
  markdownReport,
  parseDuration,
} from '@vigil/alerts';
import { getProject, SERVICE_CALLER } from '@vigil/core';
import type { Command } from 'commander';
import type pg from 'pg';
import { z } from 'zod';
import { withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const COULD_NOT_CHECK = 3;

const duration = z.string().refine((text) => parseDuration(text) !== null, {
  message: '--since is a duration: write e.g. 30m, 6h, 7d',
});
const number = (flag: string) =>
  z.coerce.number({ error: `${flag} must be a number` }).refine(Number.isFinite, `${flag} must be a number`);
/** "10%", "10" or "0.1"? A percentage: 10% and 10 are both a tenth. */
const percentage = z
  .string()
  .regex(/^\d+(\.\d+)?%?$/, '--max-increase is a percentage, e.g. 10%')
  .transform((v) => Number(v.replace('%', '')) / 100);

const output = {
  json: z.boolean().optional(),
  summary: z.string().optional(),
  api: z.string().url('--api is a URL, e.g. https://vigil.example.com').optional(),
  token: z.string().min(1).optional(),
};

const commonOptions = z.object({
  project: z.string().min(1),
  deployment: z.string().min(1),
  since: duration,
  confidence: number('--confidence').optional(),
  minRequests: z.coerce.number().int().optional(),
  ...output,
});

type Output = { [K in keyof typeof output]?: z.output<(typeof output)[K]> };
type Common = z.output<typeof commonOptions>;

function report(options: Output, checked: CheckReport): void {
  const markdown = markdownReport(checked);
  if (options.summary) appendFileSync(options.summary, `${markdown}\n`);
  result(options.json ? JSON.stringify(checked, null, 2) : markdown);
  process.exitCode = CHECK_EXIT[checked.verdict];
}

/** Runs a check; anything that stops it from checking exits 3, never a fail or a pass. */
async function guarded(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message =
      error instanceof z.ZodError ? (error.issues[0]?.message ?? error.message) : (error as Error).message;
    info(`vigil check: could not check: ${message.split('\n')[0]}`);
    process.exitCode = COULD_NOT_CHECK;
  }
}

/** The API to ask, when one is given (flag or environment) with a token. */
function apiOf(options: Output): { url: string; token: string } | null {
  const url = options.api ?? process.env.VIGIL_API_URL;
  if (!url) return null;
  const token = options.token ?? process.env.VIGIL_API_TOKEN;
  if (!token) throw new Error('--api needs a project token: --token or VIGIL_API_TOKEN (vigil tokens create)');
  return { url: url.replace(/\/$/, ''), token };
}

async function askApi(api: { url: string; token: string }, check: string, body: unknown): Promise<CheckReport> {
  const response = await fetch(`${api.url}/api/v1/checks/${check}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok) throw new Error(`the API answered ${response.status}: ${answer?.error?.message ?? 'no message'}`);
  return checkReportSchema.parse(answer);
}

type RunGate = 'cost' | 'latency' | 'evals';

const LOCAL: Record<RunGate, (pool: pg.Pool, input: Record<string, unknown>) => Promise<CheckReport>> = {
  // Each check validates its whole input with its own schema.
  cost: (pool, input) => checkCost(pool, SERVICE_CALLER, input as never),
  latency: (pool, input) => checkLatency(pool, SERVICE_CALLER, input as never),
  evals: (pool, input) => checkEvals(pool, SERVICE_CALLER, input as never),
};

/** Runs a gate on a run's spans, here or through the API, and prints its report. */
async function runGate(gate: RunGate, options: Common, limits: Record<string, unknown>): Promise<void> {
  const settings = {
    deployment: options.deployment,
    ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
    ...(options.minRequests !== undefined ? { minRequests: options.minRequests } : {}),
    ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
  };
  const api = apiOf(options);
  if (api) {
    report(options, await askApi(api, gate, { project: options.project, since: options.since, ...settings }));
    return;
  }
  await withDatabase(async (db) => {
    const project = await getProject(db.pool, options.project);
    const now = Date.now();
    const window = { from: new Date(now - parseDuration(options.since)!), to: new Date(now) };
    report(options, await LOCAL[gate](db.pool, { ...settings, projectId: project.id, window }));
  });
}

function withCommon(command: Command): Command {
  return command
    .requiredOption('--deployment <name>', 'the CI run’s deployment (its spans’ vigil.deployment)')
    .option('--project <name>', 'the project', 'default')
    .option('--since <duration>', 'read the spans of this long ago until now', '24h')
    .option('--confidence <level>', 'confidence of the intervals (0.5-1)', '0.95')
    .option('--min-requests <n>', 'fewer requests than this are inconclusive', '20');
}

function withOutput(command: Command): Command {
  return command
    .option('--json', 'print the report as JSON')
    .option('--summary <file>', 'also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY")')
    .option('--api <url>', 'ask Vigil’s API instead of the database (default VIGIL_API_URL)')
    .option('--token <token>', 'a project token for --api (default VIGIL_API_TOKEN)');
}

export function registerCheckCommands(program: Command): void {
  const check = program
    .command('check')
    .description('CI gates on a run’s spans: exit 0 pass, 1 fail, 2 inconclusive, 3 could not check');

  withOutput(
    withCommon(
      check
        .command('cost')
        .description('cost per request of a CI run, with a confidence interval, against limits')
        .option('--max-usd-per-request <usd>', 'fail when a request costs more than this, with confidence')
        .option('--baseline <deployment>', 'compare with this deployment’s requests')
        .option('--max-increase <percent>', 'with --baseline: how much more a request may cost, e.g. 10%')
        .option('--requests-per-month <n>', 'forecast the monthly spend at this volume')
        .option('--max-usd-per-month <usd>', 'with --requests-per-month: fail when the forecast exceeds this'),
    ),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          maxUsdPerRequest: number('--max-usd-per-request').optional(),
          baseline: z.string().min(1).optional(),
          maxIncrease: percentage.optional(),
          requestsPerMonth: number('--requests-per-month').optional(),
          maxUsdPerMonth: number('--max-usd-per-month').optional(),
        })
        .parse(raw);
      const { maxUsdPerRequest, baseline, maxIncrease, requestsPerMonth, maxUsdPerMonth } = options;
      await runGate('cost', options, { maxUsdPerRequest, baseline, maxIncrease, requestsPerMonth, maxUsdPerMonth });
    }),
  );

  withOutput(
    withCommon(
      check
        .command('latency')
        .description('request latency or TTFT at a quantile, with a confidence interval, against a limit or a baseline')
        .option('--metric <metric>', 'latency (the request’s root span) or ttft (its model calls)', 'latency')
        .option('--quantile <q>', 'which quantile', '0.95')
        .option('--max-ms <ms>', 'fail when the quantile is above this, with confidence')
        .option('--baseline <deployment>', 'compare with this deployment')
        .option('--max-increase <percent>', 'with --baseline: how much slower it may be, e.g. 15%'),
    ),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          metric: z.enum(['latency', 'ttft'], { error: '--metric is latency or ttft' }),
          quantile: number('--quantile'),
          maxMs: number('--max-ms').optional(),
          baseline: z.string().min(1).optional(),
          maxIncrease: percentage.optional(),
        })
        .parse(raw);
      const { metric, quantile, maxMs, baseline, maxIncrease } = options;
      await runGate('latency', options, { metric, quantile, maxMs, baseline, maxIncrease });
    }),
  );

  withOutput(
    withCommon(
      check
        .command('evals')
        .description('an evaluation’s scores (gen_ai.evaluation.result) against a minimum or a baseline')
        .requiredOption('--name <eval>', 'the evaluation (gen_ai.evaluation.name)')
        .option('--min <score>', 'fail when the mean score is below this, with confidence')
        .option('--baseline <deployment>', 'fail when the score drops below this deployment’s, significantly')
        .option('--max-drop <points>', 'with --baseline: a drop up to this (on the score’s scale) is allowed', '0'),
    ),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          name: z.string().min(1),
          min: number('--min').optional(),
          baseline: z.string().min(1).optional(),
          maxDrop: number('--max-drop'),
        })
        .parse(raw);
      const { name, min, baseline, maxDrop } = options;
      await runGate('evals', options, { name, min, baseline, maxDrop });
    }),
  );

  withOutput(
    check
      .command('slo')
      .description('no SLO of the project burning past its page threshold now (optionally on one deployment’s traffic)')
      .option('--project <name>', 'the project', 'default')
      .option('--deployment <name>', 'only this deployment’s traffic'),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = z
        .object({ project: z.string().min(1), deployment: z.string().min(1).optional(), ...output })
        .parse(raw);
      const api = apiOf(options);
      if (api) {
        report(options, await askApi(api, 'slo', { project: options.project, deployment: options.deployment }));
        return;
      }
      await withDatabase(async (db, config) => {
        const project = await getProject(db.pool, options.project);
        const { config: alerts } = await new ConfigSource(db.pool, config.VIGIL_CONFIG).load();
        report(
          options,
          await checkSlo(db.pool, alerts, {
            projectId: project.id,
            projectName: project.name,
            deployment: options.deployment,
          }),
        );
      });
    }),
  );
}
