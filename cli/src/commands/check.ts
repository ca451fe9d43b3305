// `vigil check cost|latency|evals|slo`: CI gates. Each prints a Markdown summary (for
// $GITHUB_STEP_SUMMARY; --summary <file> appends it there) or, with --json, the whole report, and
// exits 0 pass, 1 fail, 2 inconclusive, 3 when it could not check (bad options, no database).

import { appendFileSync } from 'node:fs';
import {
  CHECK_EXIT,
  type CheckReport,
  checkCost,
  checkEvals,
  checkLatency,
  checkSlo,
  ConfigSource,
  markdownReport,
  parseDuration,
} from '@vigil/alerts';
import { getProject, SERVICE_CALLER } from '@vigil/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { withDatabase } from '../context.ts';
import { info, result } from '../output.ts';

const COULD_NOT_CHECK = 3;

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `--since "${text}" is not a duration: write e.g. 30m, 6h, 7d` });
    return z.NEVER;
  }
  return ms;
});
const number = (flag: string) =>
  z.coerce.number({ error: `${flag} must be a number` }).refine(Number.isFinite, `${flag} must be a number`);
/** "10%", "10" or "0.1"? A percentage: 10% and 10 are both a tenth. */
const percentage = z
  .string()
  .regex(/^\d+(\.\d+)?%?$/, '--max-increase is a percentage, e.g. 10%')
  .transform((v) => Number(v.replace('%', '')) / 100);

const commonOptions = z.object({
  project: z.string().min(1),
  since: duration,
  confidence: number('--confidence').optional(),
  minRequests: z.coerce.number().int().optional(),
  json: z.boolean().optional(),
  summary: z.string().optional(),
});

interface Printable {
  json?: boolean | undefined;
  summary?: string | undefined;
}

function report(options: Printable, checked: CheckReport): void {
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

/** What every run-reading gate takes: the project, the run, the window ending now, and the statistics' settings. */
interface GateCommon {
  projectId: string;
  deployment: string;
  window: { from: Date; to: Date };
  confidence?: number;
  minRequests?: number;
}

/** Reads the project, builds the common input, runs the gate and prints its report. */
async function runGate(
  options: z.output<typeof commonOptions> & { deployment: string },
  gate: (pool: import('pg').Pool, common: GateCommon) => Promise<CheckReport>,
): Promise<void> {
  await withDatabase(async (db) => {
    const project = await getProject(db.pool, options.project);
    const now = Date.now();
    const common: GateCommon = {
      projectId: project.id,
      deployment: options.deployment,
      window: { from: new Date(now - options.since), to: new Date(now) },
      ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
      ...(options.minRequests !== undefined ? { minRequests: options.minRequests } : {}),
    };
    report(options, await gate(db.pool, common));
  });
}

function withCommon(command: Command): Command {
  return command
    .option('--project <name>', 'the project', 'default')
    .option('--since <duration>', 'read the spans of this long ago until now', '24h')
    .option('--confidence <level>', 'confidence of the intervals (0.5-1)', '0.95')
    .option('--min-requests <n>', 'fewer requests than this are inconclusive', '20')
    .option('--json', 'print the report as JSON')
    .option('--summary <file>', 'also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY")');
}

export function registerCheckCommands(program: Command): void {
  const check = program
    .command('check')
    .description('CI gates on a run’s spans: exit 0 pass, 1 fail, 2 inconclusive, 3 could not check');

  withCommon(
    check
      .command('cost')
      .description('cost per request of a CI run, with a confidence interval, against limits')
      .requiredOption('--deployment <name>', 'the CI run’s deployment (its spans’ vigil.deployment)')
      .option('--max-usd-per-request <usd>', 'fail when a request costs more than this, with confidence')
      .option('--baseline <deployment>', 'compare with this deployment’s requests')
      .option('--max-increase <percent>', 'with --baseline: how much more a request may cost, e.g. 10%')
      .option('--requests-per-month <n>', 'forecast the monthly spend at this volume')
      .option('--max-usd-per-month <usd>', 'with --requests-per-month: fail when the forecast exceeds this'),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          deployment: z.string().min(1),
          maxUsdPerRequest: number('--max-usd-per-request').optional(),
          baseline: z.string().min(1).optional(),
          maxIncrease: percentage.optional(),
          requestsPerMonth: number('--requests-per-month').optional(),
          maxUsdPerMonth: number('--max-usd-per-month').optional(),
        })
        .parse(raw);
      await runGate(options, (pool, common) =>
        checkCost(pool, SERVICE_CALLER, {
          ...common,
          maxUsdPerRequest: options.maxUsdPerRequest,
          baseline: options.baseline,
          maxIncrease: options.maxIncrease,
          requestsPerMonth: options.requestsPerMonth,
          maxUsdPerMonth: options.maxUsdPerMonth,
        }),
      );
    }),
  );

  withCommon(
    check
      .command('latency')
      .description('request latency or TTFT at a quantile, with a confidence interval, against a limit or a baseline')
      .requiredOption('--deployment <name>', 'the CI run’s deployment')
      .option('--metric <metric>', 'latency (the request’s root span) or ttft (its model calls)', 'latency')
      .option('--quantile <q>', 'which quantile', '0.95')
      .option('--max-ms <ms>', 'fail when the quantile is above this, with confidence')
      .option('--baseline <deployment>', 'compare with this deployment')
      .option('--max-increase <percent>', 'with --baseline: how much slower it may be, e.g. 15%'),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          deployment: z.string().min(1),
          metric: z.enum(['latency', 'ttft'], { error: '--metric is latency or ttft' }),
          quantile: number('--quantile'),
          maxMs: number('--max-ms').optional(),
          baseline: z.string().min(1).optional(),
          maxIncrease: percentage.optional(),
        })
        .parse(raw);
      await runGate(options, (pool, common) =>
        checkLatency(pool, SERVICE_CALLER, {
          ...common,
          metric: options.metric,
          quantile: options.quantile,
          maxMs: options.maxMs,
          baseline: options.baseline,
          maxIncrease: options.maxIncrease,
        }),
      );
    }),
  );

  withCommon(
    check
      .command('evals')
      .description('an evaluation’s scores (gen_ai.evaluation.result) against a minimum or a baseline')
      .requiredOption('--deployment <name>', 'the CI run’s deployment')
      .requiredOption('--name <eval>', 'the evaluation (gen_ai.evaluation.name)')
      .option('--min <score>', 'fail when the mean score is below this, with confidence')
      .option('--baseline <deployment>', 'fail when the score drops below this deployment’s, significantly')
      .option('--max-drop <points>', 'with --baseline: a drop up to this (on the score’s scale) is allowed', '0'),
  ).action((raw: Record<string, string | boolean>) =>
    guarded(async () => {
      const options = commonOptions
        .extend({
          deployment: z.string().min(1),
          name: z.string().min(1),
          min: number('--min').optional(),
          baseline: z.string().min(1).optional(),
          maxDrop: number('--max-drop'),
        })
        .parse(raw);
      await runGate(options, (pool, common) =>
        checkEvals(pool, SERVICE_CALLER, {
          ...common,
          name: options.name,
          min: options.min,
          baseline: options.baseline,
          maxDrop: options.maxDrop,
        }),
      );
    }),
  );

  check
    .command('slo')
    .description('no SLO of the project burning past its page threshold now (optionally on one deployment’s traffic)')
    .option('--project <name>', 'the project', 'default')
    .option('--deployment <name>', 'only this deployment’s traffic')
    .option('--json', 'print the report as JSON')
    .option('--summary <file>', 'also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY")')
    .action((options: { project: string; deployment?: string } & Printable) =>
      guarded(async () => {
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
