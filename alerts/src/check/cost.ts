// `vigil check cost`: what a request of a CI run (a golden-set replay tagged with the run's
// deployment) costs, with a confidence interval, against a limit per request, a baseline's cost
// and a monthly budget at a stated volume. It fails only when a limit is exceeded with confidence.

import { type Caller, readRequestSamples, type RequestSamples } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { affine, bootstrap, bootstrapRatio, type Interval, mean, verdictAgainst } from './intervals.ts';
import {
  type CheckFinding,
  type CheckReport,
  formatInterval,
  overallVerdict,
  baselineWithIncrease,
  gateCommon,
  percent,
  signedPercent,
  verdictSummary,
} from './report.ts';

export const costCheckSchema = z
  .object({
    ...gateCommon,
    maxUsdPerRequest: z.number().positive().optional(),
    baseline: z.string().min(1).optional(),
    /** How much more a request may cost than the baseline's, as a fraction (0.1 = 10%). */
    maxIncrease: z.number().nonnegative().optional(),
    requestsPerMonth: z.number().positive().optional(),
    maxUsdPerMonth: z.number().positive().optional(),
  })
  .strict()
  .refine(...baselineWithIncrease)
  .refine((c) => (c.requestsPerMonth === undefined) === (c.maxUsdPerMonth === undefined), {
    message: 'give --requests-per-month and --max-usd-per-month together',
  })
  .refine((c) => c.maxUsdPerRequest !== undefined || c.baseline !== undefined || c.maxUsdPerMonth !== undefined, {
    message: 'give a limit: --max-usd-per-request, --baseline with --max-increase, or --max-usd-per-month',
  });

export type CostCheck = z.output<typeof costCheckSchema>;

export const usd = (v: number) => `$${v < 0.01 ? v.toPrecision(3) : v.toFixed(v < 100 ? 4 : 0)}`;

/** The judgement itself, on samples already read: pure, so it is tested on known distributions. */
export function judgeCost(
  check: CostCheck,
  canary: Pick<RequestSamples, 'costUsd' | 'requests' | 'unpricedRequests'>,
  baseline: Pick<RequestSamples, 'costUsd'> | null,
): Omit<CheckReport, 'subject'> {
  const options = { confidence: check.confidence };
  const enough = canary.costUsd.length >= check.minRequests;
  const findings: CheckFinding[] = [];
  const figures: CheckReport['figures'] = {
    requests: canary.requests,
    pricedRequests: canary.costUsd.length,
    unpricedRequests: canary.unpricedRequests,
  };
  const perRequest = canary.costUsd.length ? bootstrap(canary.costUsd, mean, options) : null;
  figures.usdPerRequest = perRequest?.estimate ?? null;
  figures.usdPerRequestLow = perRequest?.low ?? null;
  figures.usdPerRequestHigh = perRequest?.high ?? null;
  const judged = (i: Interval | null, limit: number) => (i && enough ? verdictAgainst(i, limit) : 'inconclusive');
  if (check.maxUsdPerRequest !== undefined)
    findings.push({
      measure: 'cost per request',
      value: perRequest ? formatInterval(perRequest, usd) : 'no priced request',
      limit: `≤ ${usd(check.maxUsdPerRequest)}`,
      verdict: judged(perRequest, check.maxUsdPerRequest),
    });
  if (check.requestsPerMonth !== undefined && check.maxUsdPerMonth !== undefined) {
    const n = check.requestsPerMonth;
    const monthly = perRequest && affine(perRequest, n);
    figures.usdPerMonth = monthly?.estimate ?? null;
    findings.push({
      measure: `monthly spend at ${n.toLocaleString('en-US')} requests`,
      value: monthly ? formatInterval(monthly, usd) : 'no priced request',
      limit: `≤ ${usd(check.maxUsdPerMonth)}`,
      verdict: judged(monthly, check.maxUsdPerMonth),
    });
  }
  if (check.baseline !== undefined && check.maxIncrease !== undefined) {
    const base = baseline?.costUsd ?? [];
    const ratio =
      perRequest && base.length && mean(Float64Array.from(base)) > 0
        ? bootstrapRatio(canary.costUsd, base, mean, options)
        : null;
    const change = ratio && affine(ratio, 1, -1);
    figures.baselineRequests = base.length;
    figures.increase = change?.estimate ?? null;
    findings.push({
      measure: `cost per request vs ${check.baseline}`,
      value: change ? formatInterval(change, signedPercent) : 'no priced baseline request',
      limit: `≤ +${percent(check.maxIncrease)}`,
      verdict: base.length >= check.minRequests ? judged(change, check.maxIncrease) : 'inconclusive',
    });
  }
  const verdict = overallVerdict(findings);
  const summary = verdictSummary(verdict, canary.costUsd.length, check.minRequests, 'priced request(s)');
  const unpriced = canary.unpricedRequests
    ? ` ${canary.unpricedRequests} request(s) made a model call of unknown cost and are left out.`
    : '';
  return { check: 'cost', verdict, summary: summary + unpriced, findings, figures };
}

export async function checkCost(pool: pg.Pool, caller: Caller, input: z.input<typeof costCheckSchema>) {
  const check = costCheckSchema.parse(input);
  const read = (deployment: string) =>
    readRequestSamples(pool, caller, {
      projectId: check.projectId,
      window: check.window,
      filters: { deployment: [deployment] },
    });
  const [canary, baseline] = await Promise.all([
    read(check.deployment),
    check.baseline ? read(check.baseline) : Promise.resolve(null),
  ]);
  const report: CheckReport = {
    subject: `Deployment ${check.deployment} (${canary.requests} requests)`,
    ...judgeCost(check, canary, baseline),
  };
  return report;
}
