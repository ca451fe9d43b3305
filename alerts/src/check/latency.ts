// `vigil check latency`: a CI run's request latency (its root spans) or its model calls' TTFT, at
// a quantile (p95 by default), with a confidence interval, against a limit or a baseline's.

import { type Caller, readRequestSamples } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { affine, bootstrap, bootstrapRatio, quantile, verdictAgainst } from './intervals.ts';
import {
  baselineWithIncrease,
  type CheckFinding,
  type CheckReport,
  formatInterval,
  gateCommon,
  overallVerdict,
  percent,
  signedPercent,
  verdictSummary,
} from './report.ts';

export const latencyCheckSchema = z
  .object({
    ...gateCommon,
    metric: z.enum(['latency', 'ttft']).default('latency'),
    quantile: z.number().gt(0).lt(1).default(0.95),
    maxMs: z.number().positive().optional(),
    baseline: z.string().min(1).optional(),
    maxIncrease: z.number().nonnegative().optional(),
  })
  .strict()
  .refine(...baselineWithIncrease)
  .refine((c) => c.maxMs !== undefined || c.baseline !== undefined, {
    message: 'give a limit: --max-ms, or --baseline with --max-increase',
  });

export type LatencyCheck = z.output<typeof latencyCheckSchema>;

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);

export function judgeLatency(
  check: LatencyCheck,
  canary: readonly number[],
  baseline: readonly number[] | null,
): Omit<CheckReport, 'subject'> {
  const options = { confidence: check.confidence };
  const name = `${check.metric === 'ttft' ? 'TTFT' : 'request latency'} p${Math.round(check.quantile * 100)}`;
  const enough = canary.length >= check.minRequests;
  const at = quantile(check.quantile);
  const estimate = canary.length ? bootstrap(canary, at, options) : null;
  const findings: CheckFinding[] = [];
  const figures: CheckReport['figures'] = {
    samples: canary.length,
    estimateMs: estimate?.estimate ?? null,
    lowMs: estimate?.low ?? null,
    highMs: estimate?.high ?? null,
  };
  if (check.maxMs !== undefined)
    findings.push({
      measure: name,
      value: estimate ? formatInterval(estimate, ms) : 'no samples',
      limit: `≤ ${ms(check.maxMs)}`,
      verdict: estimate && enough ? verdictAgainst(estimate, check.maxMs) : 'inconclusive',
    });
  if (check.baseline !== undefined && check.maxIncrease !== undefined) {
    const base = baseline ?? [];
    const ratio = estimate && base.length ? bootstrapRatio(canary, base, at, options) : null;
    const change = ratio && affine(ratio, 1, -1);
    figures.baselineSamples = base.length;
    figures.increase = change?.estimate ?? null;
    findings.push({
      measure: `${name} vs ${check.baseline}`,
      value: change ? formatInterval(change, signedPercent) : 'no baseline samples',
      limit: `≤ +${percent(check.maxIncrease)}`,
      verdict:
        change && enough && base.length >= check.minRequests
          ? verdictAgainst(change, check.maxIncrease)
          : 'inconclusive',
    });
  }
  const verdict = overallVerdict(findings);
  const summary = verdictSummary(verdict, canary.length, check.minRequests, 'sample(s)');
  return { check: 'latency', verdict, summary, findings, figures };
}

export async function checkLatency(pool: pg.Pool, caller: Caller, input: z.input<typeof latencyCheckSchema>) {
  const check = latencyCheckSchema.parse(input);
  const read = async (deployment: string) => {
    const samples = await readRequestSamples(pool, caller, {
      projectId: check.projectId,
      window: check.window,
      filters: { deployment: [deployment] },
    });
    return { requests: samples.requests, values: check.metric === 'ttft' ? samples.ttftMs : samples.latencyMs };
  };
  const [canary, baseline] = await Promise.all([
    read(check.deployment),
    check.baseline ? read(check.baseline) : Promise.resolve(null),
  ]);
  const report: CheckReport = {
    subject: `Deployment ${check.deployment} (${canary.requests} requests)`,
    ...judgeLatency(check, canary.values, baseline?.values ?? null),
  };
  return report;
}
