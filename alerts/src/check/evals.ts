// `vigil check evals`: a CI run's evaluation scores (gen_ai.evaluation.result on its spans) against
// a minimum, with a confidence interval, or against a baseline's: a fail when the score drops by
// more than allowed with significance (scoreDropTest, the judge's sequential test).

import { type Caller, readEvaluationScores } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { scoreDropTest } from '../canary/score-test.ts';
import { bootstrap, mean, verdictAtLeast } from './intervals.ts';
import {
  type CheckFinding,
  type CheckReport,
  formatInterval,
  gateCommon,
  overallVerdict,
  verdictSummary,
} from './report.ts';

export const evalsCheckSchema = z
  .object({
    ...gateCommon,
    name: z.string().min(1),
    min: z.number().optional(),
    baseline: z.string().min(1).optional(),
    /** How far below the baseline's mean the score may fall before a significant drop fails, on the score's scale. */
    maxDrop: z.number().nonnegative().default(0),
  })
  .strict()
  .refine((c) => c.min !== undefined || c.baseline !== undefined, {
    message: 'give a limit: --min <score>, or --baseline <deployment>',
  });

export type EvalsCheck = z.output<typeof evalsCheckSchema>;

const score = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));

export function judgeEvals(
  check: EvalsCheck,
  canary: readonly number[],
  baseline: readonly number[] | null,
): Omit<CheckReport, 'subject'> {
  const enough = canary.length >= check.minRequests;
  const findings: CheckFinding[] = [];
  const estimate = canary.length ? bootstrap(canary, mean, { confidence: check.confidence }) : null;
  const figures: CheckReport['figures'] = { results: canary.length, meanScore: estimate?.estimate ?? null };
  if (check.min !== undefined)
    findings.push({
      measure: `${check.name} mean score`,
      value: estimate ? formatInterval(estimate, score) : 'no scored results',
      limit: `≥ ${score(check.min)}`,
      verdict: estimate && enough ? verdictAtLeast(estimate, check.min) : 'inconclusive',
    });
  if (check.baseline !== undefined) {
    const base = baseline ?? [];
    figures.baselineResults = base.length;
    if (!canary.length || !base.length) {
      findings.push({
        measure: `${check.name} vs ${check.baseline}`,
        value: canary.length ? 'no scored baseline results' : 'no scored results',
        limit: `drop ≤ ${score(check.maxDrop)}`,
        verdict: 'inconclusive',
      });
    } else {
      const alpha = 1 - check.confidence;
      const test = scoreDropTest(canary, base, check.maxDrop, alpha);
      figures.baselineMeanScore = test.baselineMean;
      figures.drop = test.drop;
      figures.pValue = test.pValue;
      const dropped = test.pValue < alpha;
      const verdict = dropped ? 'fail' : enough && base.length >= check.minRequests ? 'pass' : 'inconclusive';
      findings.push({
        measure: `${check.name} vs ${check.baseline}`,
        value: `${score(test.canaryMean)} vs ${score(test.baselineMean)} (drop ${score(test.drop)}, p=${test.pValue < 0.0001 ? '<0.0001' : test.pValue.toFixed(4)})`,
        limit: `drop ≤ ${score(check.maxDrop)}, or not significant`,
        verdict,
      });
    }
  }
  const verdict = overallVerdict(findings);
  return {
    check: 'evals',
    verdict,
    summary: verdictSummary(verdict, canary.length, check.minRequests, 'scored result(s)'),
    findings,
    figures,
  };
}

export async function checkEvals(pool: pg.Pool, caller: Caller, input: z.input<typeof evalsCheckSchema>) {
  const check = evalsCheckSchema.parse(input);
  const read = (deployment: string) =>
    readEvaluationScores(pool, caller, {
      projectId: check.projectId,
      window: check.window,
      name: check.name,
      slice: { deployment },
    });
  const [canary, baseline] = await Promise.all([
    read(check.deployment),
    check.baseline ? read(check.baseline) : Promise.resolve(null),
  ]);
  const labelOnly = canary.labelOnly ? ` ${canary.labelOnly} result(s) had a label and no score.` : '';
  const judged = judgeEvals(check, canary.scores, baseline?.scores ?? null);
  const report: CheckReport = {
    subject: `Deployment ${check.deployment} (${canary.scores.length} scored ${check.name} results)`,
    ...judged,
    summary: judged.summary + labelOnly,
  };
  return report;
}
